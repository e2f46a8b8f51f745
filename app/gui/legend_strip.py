"""The strip above the loss plot: which steps show, on the left, and one legend for all the
plots on the right, never over a curve. It is as tall as its text, and the legend takes as many
columns as fit beside the note (or, if none fit, sits under it)."""

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from app.gui.style import sized_font
from app.gui.theme import style_legend

GAP = 16  # pixels between the note and the legend beside it


class LegendStrip:
    def __init__(self, plot):
        self.plot = plot
        self.legend = pg.LegendItem(offset=None)
        self.legend.setParentItem(plot)
        self.legend.layout.setContentsMargins(4, 0, 4, 0)  # the strip is as tall as its text
        # A plain text item: a new text re-lays nothing out.
        self.note = QGraphicsSimpleTextItem(plot)
        self.entries = []  # (item, label) shown
        self._strip = None  # the legend's drop and the strip's height last set

    def set_entries(self, entries: list) -> None:
        if entries != self.entries:
            self.legend.clear()
            for item, label in entries:
                self.legend.addItem(item, label)
            self.entries = entries
            self.fit()

    def set_note(self, text: str) -> None:
        if text != self.note.text():
            self.note.setText(text)
            self.fit()

    def apply_look(self, look) -> None:
        style_legend(self.legend, look)
        self.note.setFont(sized_font(look.pt()))
        self.note.setBrush(pg.mkColor(look.muted))
        entries, self.entries = self.entries, []
        self.set_entries(entries)  # built afresh: a legend keeps the size of larger text

    def fit(self) -> None:
        """Place the note and the legend, and give the strip its height."""
        axis = self.plot.getAxis("left").width()
        width = self.plot.width() - axis
        note = self.note.boundingRect() if self.note.text() else QRectF()
        self.note.setPos(axis, 0)
        beside = self._columns(width - note.width() - GAP)
        columns = beside or self._columns(width) or 1
        if columns != self.legend.columnCount:  # a new count rebuilds the legend
            self.legend.setColumnCount(columns)
        below = 0 if beside else note.height()
        legend = self.legend.height() if self.legend.items else 0
        strip = max(below + legend, note.height())
        if (below, strip) != self._strip:  # moving them re-lays the plot out
            self.legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-4, below))
            self.plot.layout.setRowFixedHeight(0, strip + 2 if strip else 0)
            self._strip = (below, strip)

    def _columns(self, room: float) -> int:
        """The most legend columns whose rows fit in `room` pixels (0: not even one)."""
        widths = [sample.width() + label.width() + 10 for sample, label in self.legend.items]
        for columns in range(max(len(widths), 1), 0, -1):
            cells = [max(widths[c::columns], default=0) for c in range(columns)]
            if sum(cells) <= room:
                return columns
        return 0
