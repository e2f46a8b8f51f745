"""A bar for text the app does not control (lesson titles and captions, banners, errors).

It is shown as written (plain text, never HTML), wrapped to the width it is given and at most
`lines` lines high: a longer text is cut at a word with "…" and a Details button shows the rest
(in a scrolling box at most `DETAIL_LINES` high). So no text can widen the window or push the
plot off the screen.
"""

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QToolButton

from app.gui.style import BANNERS

DETAIL_LINES = 10
PADDING = 8


class ElidedLabel(QLabel):
    """A one-line label that never widens its window: a text too long for it ends in "…",
    and its tooltip says it whole (the status bar's figures)."""

    def __init__(self, text: str = "", tip: str = "", **kwargs):
        """`tip`: what the figure means, said in the tooltip under the whole text."""
        super().__init__(text, **kwargs)
        self.tip = tip
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

    def setText(self, text: str):
        super().setText(text)
        self.setToolTip("\n".join(t for t in (text, self.tip) if t))

    def minimumSizeHint(self):
        """No least width: however long its text, it never widens its window."""
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event):
        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(self.text(), Qt.ElideRight, self.contentsRect().width())
        painter.drawText(self.contentsRect(), int(self.alignment()), shown)


class MessageBar(QFrame):
    def __init__(
        self, name: str, kind: str | None = None, extra: str = "", lines: int = 3, details: bool = True, parent=None
    ):
        """`kind`: a banner's colours (see `BANNERS`), none for plain text; `extra`: more CSS
        (bold, say); `details`: a Details button shows a cut text whole (else its tooltip)."""
        super().__init__(parent, objectName=name)
        self.lines = lines
        self.kind, self._extra, self._dark = kind, extra, False
        self._details = details
        self._text = ""
        self.label = QLabel(wordWrap=True, textFormat=Qt.PlainText)
        self.label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens the window
        self.label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.label)
        self.scroll.viewport().setAutoFillBackground(False)
        self.label.setAutoFillBackground(False)
        self.details = QToolButton(text="Details", checkable=True, toolTip="Show the whole text.")
        self.details.toggled.connect(self._fit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(PADDING, 2, PADDING, 2)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.details, 0, Qt.AlignTop)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.restyle(False)

    def set_kind(self, kind: str):
        """A banner's kind: "info", "warning" or "error"."""
        if kind != self.kind:
            self.kind = kind
            self.restyle(self._dark)

    def restyle(self, dark: bool):
        """Colours for the theme, and the application's font again: a styled label keeps the
        font it was polished with, so a new text size reaches it only by polishing it again."""
        self._dark = dark
        style = (BANNERS[self.kind][dark] if self.kind else "") + self._extra
        name = self.objectName()
        self.setStyleSheet(
            f"QFrame#{name} {{ {style} }} QFrame#{name} QLabel {{ {_text_only(style)} background: transparent; }}"
            f" QFrame#{name} QScrollArea {{ background: transparent; }}"
        )
        self._fit()

    def text(self) -> str:
        return self._text

    def setText(self, text: str):
        if text == self._text:
            return  # the same text again: as it is, Details open or not
        self._text = text
        self.details.setChecked(False)
        self._fit()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def _height(self, text: str, width: int) -> int:
        bounds = self.label.fontMetrics().boundingRect(QRect(0, 0, width, 1 << 20), Qt.TextWordWrap, text)
        return bounds.height()

    def _fit(self):
        """Show as much of the text as `lines` lines hold at the current width."""
        self.label.ensurePolished()  # its font, after a new style or text size
        metrics = self.label.fontMetrics()
        # The width the text gets, from the bar's own (its children are laid out after it).
        layout = self.layout()
        margins = layout.contentsMargins()
        width = self.contentsRect().width() - margins.left() - margins.right() - 4
        for i in range(layout.count()):  # buttons a subclass put beside the text
            widget = layout.itemAt(i).widget()
            if widget not in (self.scroll, self.details) and widget.isVisibleTo(self):
                width -= widget.sizeHint().width() + layout.spacing()
        cap = self.lines * metrics.lineSpacing()
        long = self._height(self._text, max(width, 40)) > cap + 1
        if long and self._details:
            width -= self.details.sizeHint().width() + self.layout().spacing()
        width = max(width, 40)
        needed = self._height(self._text, width)
        self.details.setVisible(long and self._details)
        self.setToolTip(self._text if long and not self._details else "")
        opened = long and self.details.isChecked()
        if opened:
            self.label.setText(self._text)
            height = min(needed, DETAIL_LINES * metrics.lineSpacing())
        else:
            self.label.setText(_cut(self._text, lambda t: self._height(t, width) <= cap) if long else self._text)
            height = min(needed, cap)
        self.scroll.setVerticalScrollBarPolicy(
            Qt.ScrollBarAsNeeded if opened and height < needed else Qt.ScrollBarAlwaysOff
        )
        self.scroll.setFixedHeight(max(height, metrics.lineSpacing()) + 2)


def _cut(text: str, fits) -> str:
    """The longest run of whole words of `text`, with "…", for which `fits` holds."""
    words = text.split(" ")
    low, high = 0, len(words)
    while low < high:  # the largest count of words that fits
        middle = (low + high + 1) // 2
        if fits(" ".join(words[:middle]) + " …"):
            low = middle
        else:
            high = middle - 1
    return " ".join(words[: max(low, 1)]) + " …"


def _text_only(style: str) -> str:
    """The declarations of `style` a label's text takes (colour, weight), not the bar's box."""
    keep = ("color", "font-weight")
    return " ".join(d.strip() + ";" for d in style.split(";") if d.split(":")[0].strip() in keep)
