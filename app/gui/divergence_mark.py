"""The mark of a divergence on the loss plot: a dashed vertical line at the step the loss
became inf or NaN, and its label on a backdrop, in the theme's red. The label stands whole
inside the view where the fewest drawn points of the curves fall (beside the line or at either
edge, at the top, the bottom or between), so it never hides the climb it names. It is made at a
divergence only: a labelled line costs every redraw."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.gui.style import sized_font

MARGIN = 4  # pixels between the label and the line or the view's edge
SUBDIVISIONS = 6  # points looked at along each drawn segment of a curve


class DivergenceMark:
    def __init__(self, plot, curves):
        """`curves`: the loss plot's curves, which the label keeps off."""
        self.plot = plot
        self.curves = curves
        self.line = None
        self.label = None
        self.look = None
        plot.vb.sigResized.connect(self.place)  # a view resized or moved: placed afresh
        plot.vb.sigRangeChanged.connect(self.place)

    def show(self, step: int) -> None:
        if self.line is not None:
            return
        self.line = pg.InfiniteLine(step, angle=90)
        self.texts = (f"diverged at step {step:,}", f"diverged\nat step {step:,}")  # on one line, or two
        self.label = pg.TextItem(self.texts[0], anchor=(0, 0))
        self._style()
        self.plot.addItem(self.line, ignoreBounds=True)
        self.plot.addItem(self.label, ignoreBounds=True)

    def clear(self) -> None:
        if self.line is not None:
            self.plot.removeItem(self.line)
            self.plot.removeItem(self.label)
            self.line = self.label = None

    def place(self, *_) -> None:
        """Put the label where it covers the fewest points of the curves as drawn."""
        if self.line is None:
            return
        box = self.plot.vb
        width, height = box.width(), box.height()
        (x0, x1), (y0, y1) = box.viewRange()
        if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
            return
        points = [_on_screen(curve, x0, x1, y0, y1, width, height) for curve in self.curves]
        px, py = np.concatenate([p[0] for p in points]), np.concatenate([p[1] for p in points])
        line = (self.line.value() - x0) / (x1 - x0) * width
        best = None
        for lines, text in enumerate(self.texts):  # on two lines where one does not fit beside the line
            if self.label.toPlainText() != text:
                self.label.setText(text)
            size = self.label.boundingRect()
            w, h = size.width(), size.height()
            lefts = [line - w - MARGIN, line + MARGIN, MARGIN, width - w - MARGIN]
            tops = [MARGIN, height - h - MARGIN, *((height - h) * q for q in (0.5, 0.25, 0.75))]
            for rank, (left, top) in enumerate((a, b) for a in lefts for b in tops):
                if left < 0 or left + w > width or top < 0 or left < line < left + w:
                    continue  # cut by the view's edge, or crossed by the line
                inside = (px >= left) & (px <= left + w) & (py >= top) & (py <= top + h)
                score = (int(inside.sum()), lines, rank)  # the fewest points, one line, near the line
                if best is None or score < best[0]:
                    best = (score, text, left, top)
        if best is None:  # a view narrower than the label: at its left edge
            best = (None, self.texts[1], 0.0, MARGIN)
        _, text, left, top = best
        if self.label.toPlainText() != text:
            self.label.setText(text)
        self.label.setPos(x0 + left / width * (x1 - x0), y1 - top / height * (y1 - y0))

    def apply_look(self, look) -> None:
        self.look = look
        self._style()

    def _style(self):
        if self.line is None or self.look is None:
            return
        look = self.look
        self.line.setPen(pg.mkPen(look.wrong, width=2 * look.zoom, style=Qt.DashLine))
        self.label.setColor(look.wrong)
        self.label.fill = pg.mkBrush(look.backdrop)
        self.label.setFont(sized_font(look.pt()))


def _on_screen(curve, x0, x1, y0, y1, width, height):
    """A curve's drawn points, and points along the segments between them (a steep stretch
    crosses the label too), in the view's pixels (y down)."""
    x, y = curve.getData()
    if x is None or not len(x) or not curve.isVisible():
        return np.empty(0), np.empty(0)
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) > 1:
        t = np.linspace(0, 1, SUBDIVISIONS, endpoint=False)[:, None]
        x = np.concatenate([x, (x[:-1] + t * np.diff(x)).ravel()])
        y = np.concatenate([y, (y[:-1] + t * np.diff(y)).ravel()])
    keep = np.isfinite(x) & np.isfinite(y)
    return (x[keep] - x0) / (x1 - x0) * width, (y1 - y[keep]) / (y1 - y0) * height
