"""Whether every text on screen has the room it needs: each visible label, button, check box,
combo box, tab and status field's text, measured with its font, against the room its widget
gives it (QFontMetrics against the widget's rectangle)."""

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QTabBar,
    QTreeWidget,
)

from app.gui.message_bar import MessageBar


def cut_texts(window) -> list[str]:
    """What shows less than its text: 'kind name: text (needs N px, has M)'."""
    found = []
    for widget in window.findChildren(QLabel):
        if not widget.isVisible() or not widget.text() or _in_message_bar(widget):
            continue
        room = widget.contentsRect()
        metrics = widget.fontMetrics()
        text = widget.text()
        if widget.wordWrap():
            needed = metrics.boundingRect(QRect(0, 0, room.width(), 1 << 20), Qt.TextWordWrap, text).height()
            if needed > room.height() + 1:
                found.append(f"label {widget.objectName()}: {text!r} (needs {needed} px high, has {room.height()})")
        elif metrics.horizontalAdvance(text) > room.width() + 1:
            found.append(_said("label", widget, text, metrics.horizontalAdvance(text), room.width()))
    for widget in window.findChildren(QAbstractButton):
        if not widget.isVisible() or not widget.text() or isinstance(widget, QTabBar):
            continue
        option = QStyleOptionButton()
        option.initFrom(widget)
        text = widget.text().replace("&", "")
        needed = widget.fontMetrics().horizontalAdvance(text)
        if isinstance(widget, QCheckBox):
            room = widget.width() - widget.style().pixelMetric(QStyle.PM_IndicatorWidth) - 6
        else:
            room = widget.width() - 2 * widget.style().pixelMetric(QStyle.PM_ButtonMargin)
        if needed > room:
            found.append(_said("button", widget, text, needed, room))
    for widget in window.findChildren(QComboBox):
        if not widget.isVisible():
            continue
        option = QStyleOptionComboBox()
        widget.initStyleOption(option)
        field = widget.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, widget)
        for i in range(widget.count()):  # any of its choices may be the one shown
            needed = widget.fontMetrics().horizontalAdvance(widget.itemText(i))
            if needed > field.width():
                found.append(_said("combo box", widget, widget.itemText(i), needed, field.width()))
    for bar in window.findChildren(QTabBar):
        if not bar.isVisible():
            continue
        for i in range(bar.count()):
            needed = bar.fontMetrics().horizontalAdvance(bar.tabText(i).replace("&", ""))
            shown = bar.tabRect(i).intersected(bar.rect()).width() - 8  # scrolled out of the bar: cut
            if needed > shown:
                found.append(_said("tab", bar, bar.tabText(i), needed, shown))
    for tree in window.findChildren(QTreeWidget):
        if not tree.isVisible():
            continue
        for column in range(tree.columnCount()):  # Qt's own measure of the column's texts
            needed, room = tree.sizeHintForColumn(column), tree.columnWidth(column)
            if needed > room:
                found.append(f"tree column {column} of {tree.objectName()} (needs {needed} px, has {room})")
    return found


def _in_message_bar(label) -> bool:
    """A banner's or caption's label: MessageBar fits it to its lines (tested on its own)."""
    parent = label.parentWidget()
    return isinstance(parent, MessageBar)


def _said(kind, widget, text, needed, room) -> str:
    return f"{kind} {widget.objectName() or type(widget).__name__}: {text!r} (needs {needed} px, has {room})"
