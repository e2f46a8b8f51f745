"""Code panes: Pygments colours and line numbers; the listings' (read-only, a feature's lines
marked) and a student's (editable, coloured as they type)."""

import ast

from pygments import lex
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name
from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from app.gui.message_bar import MessageBar
from app.gui.style import CODE_POINT_SIZE, DIMMED
from app.gui.theme import Look

MAX_PRESENTED = 2.5
"""In presentation the step's code grows to fill its pane, up to this many times its size."""
ROOM_LINES = 30
"""In presentation no line of text is shorter than the screen's height over this: read from
the back of a lecture hall, 24 px a line on a 1280×720 projector."""


def readable_points(font: QFont, screen_height: int) -> int:
    """The least point size at which `font`'s lines are ROOM_LINES to the screen's height."""
    sized = QFont(font)
    for points in range(6, 72):
        sized.setPointSize(points)
        if QFontMetrics(sized).height() >= screen_height / ROOM_LINES:
            return points
    return 72


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


class PygmentsHighlighter(QSyntaxHighlighter):
    """Pygments colours for a document being edited: the whole text is lexed once per edit (a
    docstring opened on one line colours the lines after it), each line coloured from that."""

    def __init__(self, document, style_name: str):
        self.style_name = style_name
        self._text = None  # the text last lexed
        self._spans = {}  # block number: [(start, length, format)]
        super().__init__(document)

    def set_style(self, style_name: str):
        self.style_name = style_name
        self._text = None
        self.rehighlight()

    def _lex(self, text: str):
        style = get_style_by_name(self.style_name)
        formats, spans = {}, {}
        line, column = 0, 0
        for token_type, value in lex(text, PythonLexer(stripnl=False, ensurenl=False)):
            if token_type not in formats:
                formats[token_type] = _char_format(style.style_for_token(token_type))
            for i, piece in enumerate(value.split("\n")):
                if i:
                    line, column = line + 1, 0
                if piece and formats[token_type] is not None:
                    spans.setdefault(line, []).append((column, len(piece), formats[token_type]))
                column += len(piece)
        self._spans, self._text = spans, text

    def highlightBlock(self, text):
        whole = self.document().toPlainText()
        if whole != self._text:
            self._lex(whole)
        spans = self._spans.get(self.currentBlock().blockNumber(), [])
        for start, length, fmt in spans:
            self.setFormat(start, length, fmt)
        self.setCurrentBlockState(hash(tuple((a, b) for a, b, _ in spans)) & 0x7FFFFFFF)


def _function_of(text: str, line: int) -> frozenset[int]:
    """The 0-based lines of the top-level function holding 0-based `line` (just it, if none)."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.lineno - 1 <= line <= node.end_lineno - 1:
            return frozenset(range(node.lineno - 1, node.end_lineno))
    return frozenset({line})


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

    def __init__(self, parent=None, objectName=""):
        super().__init__(parent, objectName=objectName)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.WidgetWidth)  # a narrow pane shows every line whole
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSize(CODE_POINT_SIZE)
        self.setFont(font)
        self._gutter = _LineNumbers(self)
        self.blockCountChanged.connect(lambda _: self.setViewportMargins(self.gutter_width(), 0, 0, 0))
        self.updateRequest.connect(self._scroll_gutter)
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self.notes = {}  # 0-based line: a value it computed, shown after its text (the step inspector's)

    def set_notes(self, notes: dict[int, str]):
        """Show each text after its line's code, as a debugger shows a line's values."""
        if notes != self.notes:
            self.notes = dict(notes)
            self.viewport().update()

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.notes:
            return
        painter = QPainter(self.viewport())
        font = QFont(self.font())
        font.setItalic(True)
        painter.setFont(font)
        painter.setPen(QColor(self.gutter_colours[1]))
        offset, margin = self.contentOffset(), self.document().documentMargin()
        for line, text in self.notes.items():
            block = self.document().findBlockByNumber(line)
            if not block.isVisible() or block.layout().lineCount() == 0:
                continue
            last = block.layout().lineAt(block.layout().lineCount() - 1)
            top = self.blockBoundingGeometry(block).translated(offset).top() + last.y()
            left = margin + last.naturalTextWidth() + self.fontMetrics().horizontalAdvance("  ")
            room = self.viewport().width() - left - margin
            shown = self.fontMetrics().elidedText(f"# {text}", Qt.ElideRight, int(room))
            if room > 0 and shown:
                painter.drawText(QRect(int(left), int(top), int(room), int(last.height())), Qt.AlignVCenter, shown)

    def scroll_to_line(self, line: int):
        """Put 0-based `line` at the top of the view (one line of context above it)."""
        self.verticalScrollBar().setValue(max(self.document().findBlockByNumber(line).firstLineNumber() - 1, 0))

    def select_line(self, line: int):
        """Select 0-based `line` (the step inspector's value comes from it) and bring it into view."""
        cursor = QTextCursor(self.document().findBlockByNumber(line))
        cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)
        self.scroll_to_line(line)

    def show_only(self, lines: frozenset[int] | None):
        """Hide every line not in `lines` (None shows them all): the rest stays in the document,
        with its line numbers."""
        block = self.document().firstBlock()
        while block.isValid():
            block.setVisible(lines is None or block.blockNumber() in lines)
            block = block.next()
        self.document().markContentsDirty(0, self.document().characterCount())
        self.viewport().update()
        self._gutter.update()

    def visible_lines(self) -> list[int]:
        """The 0-based lines on screen now, whole or in part (what a student sees without scrolling)."""
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        shown = []
        while block.isValid() and self.blockBoundingGeometry(block).translated(offset).top() < self.viewport().height():
            if block.isVisible():
                shown.append(block.blockNumber())
            block = block.next()
        return shown

    def visible_text(self) -> str:
        document = self.document()
        return "\n".join(document.findBlockByNumber(line).text() for line in self.visible_lines())

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
            if block.isVisible():  # the number on the first row of a wrapped line
                painter.drawText(0, top, self._gutter.width() - 6, height, Qt.AlignRight, str(block.blockNumber() + 1))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()


class CodePane(QWidget):
    """A titled listing. `show_listing` sets the text; `mark` colours or dims feature lines."""

    def __init__(self, heading: str, name: str, parent=None):
        super().__init__(parent)
        self.heading = MessageBar(f"{name}Heading", extra="font-weight: bold;", lines=1, details=False)
        self._heading = heading
        self.editor = CodeEditor(objectName=name)
        self.step_only = False
        self.quoted = None  # a line of code a lesson's caption quotes: in view when the pane shows it
        self._listing = None
        self._enabled = {}  # the marks last asked for, re-applied when the look changes
        self._look = Look()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.heading)
        layout.addWidget(self.editor)

    def text(self) -> str:
        return self.editor.toPlainText()

    @property
    def listing(self):
        """The listing shown (its text, and the lines each feature marks)."""
        return self._listing

    def show_listing(self, listing):
        """Show `listing`, scrolled to its step function."""
        self._listing = listing
        self.heading.setText(self._heading)
        self.heading.label.setToolTip(f"{self._heading}: {listing.title}")  # the files the listing shows
        self.editor.setPlainText(listing.text)
        highlight(self.editor.document(), listing.text, self._look.code_style)
        self.show_step_only(self.step_only)

    def quote(self, code: str | None):
        """Bring the line holding `code` (a lesson caption's quote; None: none) into view, and
        in presentation the function it is in beside the step."""
        self.quoted = code
        if self._listing is not None:
            self.show_step_only(self.step_only)

    def quoted_line(self) -> int | None:
        """The 0-based line of the listing that holds the quoted code, if this one does."""
        if not self.quoted or self._listing is None:
            return None
        lines = self._listing.text.splitlines()
        return next((i for i, line in enumerate(lines) if self.quoted in line), None)

    def show_step_only(self, on: bool):
        """Only the step functions (presentation), or the whole listing scrolled to them (to a
        quoted line, or a pitfall's faulty line, if there is one)."""
        self.step_only = on
        self.editor.show_only(self._step_lines() if on else None)
        bug = self._listing.feature_lines.get("bug")
        quoted = self.quoted_line()
        # What the pane is about, in view with the line above it: the quote, the faulty line, the step.
        top = quoted if quoted is not None else min(bug) if bug else min(self._listing.step_lines)
        self.editor.scroll_to_line(top)
        QTimer.singleShot(0, self, lambda: self.editor.scroll_to_line(top))  # once the new text is laid out

    def _step_lines(self) -> frozenset[int]:
        """The step's lines that run: a step function of a feature that is off is left out."""
        listing = self._listing
        running = listing.step_lines.difference(*(listing.idle_lines[f] for f, on in self._enabled.items() if not on))
        quoted = self.quoted_line()
        if quoted is not None:  # the function the caption quotes, beside the step
            running = running | _function_of(listing.text, quoted)
        text = listing.text.splitlines()
        # A blank line stays only after a line that is shown: no gap where a function went.
        return frozenset(i for i in running if text[i].strip() or (i - 1 in running and text[i - 1].strip()))

    def fitted_size(self) -> int:
        """The code's point size: the look's, made smaller (to 3/4 at most) so the step's longest
        line fits the pane's width; in presentation, as large as lets the whole step fit."""
        base = self._look.pt(CODE_POINT_SIZE)
        if self._listing is None:
            return base
        lines = self._listing.text.splitlines()
        step = [lines[i] for i in sorted(self._step_lines() if self.step_only else self._listing.step_lines)]
        font = QFont(self.editor.font())
        font.setPointSize(base)
        metrics = QFontMetrics(font)
        room = self.editor.width() - self.editor.gutter_width() - 2 * self.editor.frameWidth() - 24  # a scroll bar
        size = room / (metrics.horizontalAdvance(max(step, key=len) + " ") / base)
        if not self.step_only:
            return max(round(min(base, max(size, base * 3 / 4))), 6)
        # Presentation: the largest size at which the step, its long lines wrapped, fits the pane,
        # and never less than a room can read (a longer step scrolls from its first line).
        char, line = metrics.horizontalAdvance("M") / base, metrics.lineSpacing() / base
        height = self.editor.height() - 2 * self.editor.frameWidth() - 8
        least = readable_points(font, self.screen().geometry().height())
        best = least
        for points in range(least, round(base * MAX_PRESENTED) + 1):
            per_row = max(int(room / (char * points)) - 4, 8)  # wrapping at a word loses a little
            rows = sum(max(1, -(-len(text.rstrip()) // per_row)) for text in step)
            if rows * line * points <= height:
                best = points
        return best

    def set_code_size(self, size: int):
        """Show the code at `size` points, the same lines at the top as before."""
        if size == self.editor.font().pointSize():
            return
        top = self.editor.firstVisibleBlock().blockNumber()
        font = QFont(self.editor.font())
        font.setPointSize(size)
        self.editor.setFont(font)
        self.editor.setViewportMargins(self.editor.gutter_width(), 0, 0, 0)
        self.editor.scroll_to_line(top + 1)

    def apply_look(self, look: Look):
        """Zoomed code font, the theme's Pygments style and mark colours."""
        restyle = look.code_style != self._look.code_style
        self._look = look
        self.editor.gutter_colours = ("#2A2A2A", "#8A8A8A") if look.dark else ("#EFEFEF", "#777777")
        if self._listing is not None and restyle:
            enabled, top = self._enabled, self.editor.firstVisibleBlock().blockNumber()
            self.show_listing(self._listing)
            self.mark(enabled, scroll=False)
            self.editor.scroll_to_line(top + 1)  # the same lines in view as before
        elif self._listing is not None:
            self.mark(self._enabled, scroll=False)  # the marks' colours follow the theme

    def mark(self, enabled: dict[str, bool], scroll: bool = True):
        """Lines of a feature that is on get its background colour; of a feature that is off,
        the lines that do not run are dimmed. With `scroll`, a feature just turned on scrolls
        to its lines (those in the step first); one just turned off, back to the step."""
        turned_on = [f for f, on in enabled.items() if on and not self._enabled.get(f)]
        turned_off = [f for f, on in self._enabled.items() if on and not enabled.get(f)]
        self._enabled = dict(enabled)
        if self.step_only and (turned_on or turned_off):
            self.show_step_only(True)
        if scroll and (turned_on or turned_off):
            self.editor.scroll_to_line(self._first_line(turned_on))
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

    def _first_line(self, features) -> int:
        """The first line of `features` to show: in the step if it has any there, else anywhere
        (the optax chain's clipping, say); the step's first line if there are none."""
        listing = self._listing
        lines = set().union(*(listing.feature_lines.get(f, ()) for f in features))
        elsewhere = set() if self.step_only else lines  # presenting, only the step is shown
        return min(lines & listing.step_lines or elsewhere or listing.step_lines)

    def marked_lines(self) -> dict[str, list[int]]:
        """Which lines carry which mark (background = on, dimmed = off), for tests and checks."""
        marked = {"on": [], "dimmed": []}
        for selection in self.editor.extraSelections():
            kind = "dimmed" if selection.format.foreground().color() == DIMMED else "on"
            marked[kind].append(selection.cursor.blockNumber())
        return marked
