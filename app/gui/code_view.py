"""A read-only code pane: Pygments colours, line numbers, and the lines of a feature marked."""

from pygments import lex
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from app.gui.style import CODE_POINT_SIZE, DIMMED
from app.gui.theme import Look


def _char_format(style_entry) -> QTextCharFormat | None:
    if not (style_entry["color"] or style_entry["bold"] or style_entry["italic"]):
        return None
    fmt = QTextCharFormat()
    if style_entry["color"]:
        fmt.setForeground(QColor(f"#{style_entry['color']}"))
    if style_entry["bold"]:
        fmt.setFontWeight(QFont.Bold)
    fmt.setFontItalic(bool(style_entry["italic"]))
    return fmt


def highlight(document, text: str, style_name: str):
    """Colour a whole document with Pygments in one pass.

    Lexing the whole text (not line by line, as a QSyntaxHighlighter would) keeps
    multi-line docstrings coloured as strings. The listing is read-only, so once is enough.
    """
    style = get_style_by_name(style_name)
    formats = {}
    cursor = QTextCursor(document)
    position = 0
    for token_type, value in lex(text, PythonLexer(stripnl=False, ensurenl=False)):
        if token_type not in formats:
            formats[token_type] = _char_format(style.style_for_token(token_type))
        fmt = formats[token_type]
        if fmt is not None and value:
            cursor.setPosition(position)
            cursor.setPosition(position + len(value), QTextCursor.KeepAnchor)
            cursor.setCharFormat(fmt)
        position += len(value)


class _LineNumbers(QWidget):
    def __init__(self, editor):
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self):
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event):
        self.editor.paint_line_numbers(event)


class CodeEditor(QPlainTextEdit):
    """QPlainTextEdit with a line-number gutter (Qt's code editor example, trimmed)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSize(CODE_POINT_SIZE)
        self.setFont(font)
        self._gutter = _LineNumbers(self)
        self.blockCountChanged.connect(lambda _: self.setViewportMargins(self.gutter_width(), 0, 0, 0))
        self.updateRequest.connect(self._scroll_gutter)
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def gutter_width(self):
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(2, len(str(self.blockCount())))

    def resizeEvent(self, event):
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def _scroll_gutter(self, rect, dy):
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    gutter_colours = ("#EFEFEF", "#777777")

    def paint_line_numbers(self, event):
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor(self.gutter_colours[0]))
        painter.setPen(QColor(self.gutter_colours[1]))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(0, top, self._gutter.width() - 6, height, Qt.AlignRight, str(block.blockNumber() + 1))
            block = block.next()
            top += round(self.blockBoundingRect(block).height()) if block.isValid() else height


class CodePane(QWidget):
    """A titled listing. `show_listing` sets the text; `mark` colours or dims feature lines."""

    def __init__(self, heading: str, parent=None):
        super().__init__(parent)
        self.heading = QLabel(f"<b>{heading}</b>")
        self.source_label = QLabel(wordWrap=True)
        self.source_label.setStyleSheet("color:#555;")
        self.editor = CodeEditor()
        self._listing = None
        self._enabled = {}  # the marks last asked for, re-applied when the look changes
        self._look = Look()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.source_label)
        layout.addWidget(self.editor)

    def text(self) -> str:
        return self.editor.toPlainText()

    def show_listing(self, listing):
        self._listing = listing
        self.source_label.setText(listing.title)
        self.editor.setPlainText(listing.text)
        highlight(self.editor.document(), listing.text, self._look.code_style)

    def apply_look(self, look: Look):
        """Zoomed code font, the theme's Pygments style and mark colours."""
        restyle = look.code_style != self._look.code_style
        self._look = look
        font = self.editor.font()
        font.setPointSize(look.pt(CODE_POINT_SIZE))
        self.editor.setFont(font)
        self.editor.setViewportMargins(self.editor.gutter_width(), 0, 0, 0)
        self.editor.gutter_colours = ("#2A2A2A", "#8A8A8A") if look.dark else ("#EFEFEF", "#777777")
        self.source_label.setStyleSheet(f"color:{look.muted};")
        if self._listing is not None and restyle:
            enabled = self._enabled
            self.show_listing(self._listing)
            self.mark(enabled)
        elif self._listing is not None:
            self.mark(self._enabled)  # the marks' colours follow the theme

    def mark(self, enabled: dict[str, bool]):
        """Lines of a feature that is on get its background colour; of a feature that is off,
        the lines that do not run are dimmed."""
        self._enabled = dict(enabled)
        selections = []
        for feature in self._listing.feature_lines:
            on = enabled.get(feature)
            lines = self._listing.feature_lines[feature] if on else self._listing.idle_lines[feature]
            for line in sorted(lines):
                selection = QTextEdit.ExtraSelection()
                selection.cursor = QTextCursor(self.editor.document().findBlockByNumber(line))
                selection.format = QTextCharFormat()
                selection.format.setProperty(QTextFormat.FullWidthSelection, True)
                if on:
                    selection.format.setBackground(self._look.marks[feature])
                else:
                    selection.cursor.select(QTextCursor.LineUnderCursor)
                    selection.format.setProperty(QTextFormat.FullWidthSelection, False)
                    selection.format.setForeground(DIMMED)
                selections.append(selection)
        self.editor.setExtraSelections(selections)

    def marked_lines(self) -> dict[str, list[int]]:
        """Which lines carry which mark (background = on, dimmed = off), for tests and checks."""
        marked = {"on": [], "dimmed": []}
        for selection in self.editor.extraSelections():
            kind = "dimmed" if selection.format.foreground().color() == DIMMED else "on"
            marked[kind].append(selection.cursor.blockNumber())
        return marked

