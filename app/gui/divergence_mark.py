"""The mark of a divergence on the loss plot: a dashed vertical line at the step the loss
became inf or NaN, labelled on a backdrop, in the theme's red. It is made at a divergence only:
a labelled line costs every redraw."""

import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.gui.style import sized_font


class DivergenceMark:
    def __init__(self, plot):
        self.plot = plot
        self.line = None
        self.look = None

    def show(self, step: int) -> None:
        if self.line is not None:
            return
        self.line = pg.InfiniteLine(
            step,
            angle=90,
            label=f"diverged at step {step:,} ",
            labelOpts={"position": 0.85, "anchors": [(1, 0.5), (1, 0.5)]},
        )
        self._style()
        self.plot.addItem(self.line, ignoreBounds=True)

    def clear(self) -> None:
        if self.line is not None:
            self.plot.removeItem(self.line)
            self.line = None

    def apply_look(self, look) -> None:
        self.look = look
        self._style()

    def _style(self):
        if self.line is None or self.look is None:
            return
        look, line = self.look, self.line
        line.setPen(pg.mkPen(look.wrong, width=2 * look.zoom, style=Qt.DashLine))
        line.label.setColor(look.wrong)
        line.label.fill = pg.mkBrush(look.backdrop)
        line.label.setFont(sized_font(look.pt()))
