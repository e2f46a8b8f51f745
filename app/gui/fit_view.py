"""The line-fit picture: the 64 points and each paradigm's current line, moving as it trains."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.gui.style import BASE_POINT_SIZE, LABELS, PENS
from app.gui.theme import Look, style_plot_item
from app.model.tasks import line_fit_batch

X_ENDS = np.array([-1.1, 1.1])
LINE_WIDTHS = {"linen": 7, "nnx": 2.5}


class FitView(pg.PlotWidget):
    """Scatter of the batch and the model's line y = kernel * x + bias per paradigm."""

    def __init__(self, parent=None):
        super().__init__(parent)
        x, y = line_fit_batch()
        self.points = self.plot(x[:, 0], y[:, 0], pen=None, symbol="o", symbolPen=None)
        self.lines = {
            "linen": self.plot(pen=pg.mkPen(PENS["linen"], width=LINE_WIDTHS["linen"])),
            "nnx": self.plot(pen=pg.mkPen(PENS["nnx"], width=LINE_WIDTHS["nnx"], style=Qt.DashLine)),
        }
        self.setXRange(*X_ENDS, padding=0)
        self.setYRange(float(y.min()) - 0.5, float(y.max()) + 0.5, padding=0)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self._diverged = {}  # paradigm: what the note says of its divergence
        self.note = None  # added at a divergence only: a text item costs every redraw
        self._note_at = (X_ENDS[0] + 0.05, float(y.max()) + 0.45)
        self.setMinimumWidth(160)
        self.getPlotItem().setContentsMargins(2, 2, 12, 2)  # the last tick label is not cut
        self.apply_look(Look())
        self.setToolTip(" ".join(f"{LABELS[p]}: {'orange' if p == 'linen' else 'blue dashed'} line." for p in LABELS))

    def apply_look(self, look: Look):
        self.setBackground(look.background)
        self.points.setSymbolBrush(look.muted)  # grey on either background
        self.points.setSymbolSize(7 * look.zoom)
        for paradigm, line in self.lines.items():
            line.setPen(
                pg.mkPen(PENS[paradigm], width=LINE_WIDTHS[paradigm] * look.zoom, style=line.opts["pen"].style())
            )
        self._look = look
        style_plot_item(self.getPlotItem(), look, {}, BASE_POINT_SIZE - 2)
        if self.note is not None:
            self._style_note()

    def new_run(self):
        """A new run: no note (not `clear`: pyqtgraph's PlotWidget binds that name to PlotItem.clear,
        which would remove every item). The lines stay until its first weights replace them (no flash);
        those are always finite, as a diverged chunk carries its last finite weights."""
        self._diverged = {}
        if self.note is not None:
            self.removeItem(self.note)
            self.note = None

    @property
    def diverged(self) -> set[str]:
        """The paradigms whose divergence the note tells."""
        return set(self._diverged)

    def note_text(self) -> str:
        return self.note.toPlainText() if self.note is not None else ""

    def _show_note(self, text: str):
        if self.note is None:
            self.note = pg.TextItem(anchor=(0, 0))
            self._style_note()
            self.addItem(self.note, ignoreBounds=True)
            self.note.setPos(*self._note_at)
        self.note.setText(text)
        self._wrap_note()

    def _style_note(self):
        """The note in the theme's red, on a nearly opaque backdrop: readable over the points."""
        self.note.setColor(self._look.wrong)
        self.note.fill = pg.mkBrush(self._look.backdrop)
        self.note.update()

    def _wrap_note(self):
        """The note wraps to the view's width: all of it shows, in the top left, where a line
        through the points leaves room (the last line, far off, runs steeply across it)."""
        if self.note is not None:
            self.note.setTextWidth(max(self.getPlotItem().vb.width() - 8, 100))

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if hasattr(self, "_look"):  # not while the base class builds the view
            self._wrap_note()

    def show_weights(self, weights: dict, diverged_at: dict | None = None):
        """Draw each paradigm's line from its `kernel` (1, 1) and `bias` (1,); hide the others.

        A paradigm that diverged keeps the last weights it had, and the view says so.
        """
        for paradigm, k in (diverged_at or {}).items():
            w = weights.get(paradigm)
            if paradigm not in self._diverged and w is not None:  # the chunk it diverged in
                slope = float(w["kernel"][0, 0])
                self._diverged[paradigm] = (f"diverged at step {k:,}", f"last line: slope {_short(slope)}")
                said = {}  # the same words for both paradigms are said once, naming both
                for p in sorted(self._diverged):
                    said.setdefault(self._diverged[p], []).append(LABELS[p])
                if len(said) == 1 and set(self._diverged) >= set(weights):  # all drawn: no names
                    self._show_note("\n".join(next(iter(said))))
                else:
                    lines = [f"{' and '.join(names)} {', '.join(text)}" for text, names in said.items()]
                    self._show_note("\n".join(lines))
        for paradigm, line in self.lines.items():
            w = weights.get(paradigm)
            line.setVisible(w is not None)
            if w is not None:
                slope, intercept = float(w["kernel"][0, 0]), float(w["bias"][0])
                if np.isfinite(slope) and np.isfinite(intercept):
                    line.setData(X_ENDS, slope * X_ENDS + intercept)


def _short(x: float) -> str:
    """Two significant digits, as "2e17" or "-35"."""
    return f"{x:.2g}".replace("e+", "e")
