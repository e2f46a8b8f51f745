"""How each curve is drawn, the same wherever it appears (loss, test accuracy, gradient norm,
the landscape's paths): colour-blind-safe colours, and widths read from the back of a room."""

import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.gui.style import PENS

LINEN_WIDTH = 6  # Linen is drawn wide under NNX, so the two stay visible where they coincide
PIN_COLOURS = ("#999999", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#F0E442", "#000000", "#E69F00")
PIN_WIDTH = 4
CURVES = ("linen", "nnx", "linen_ema", "nnx_ema")
CURVE_STYLES = {
    "linen": (PENS["linen"], LINEN_WIDTH, Qt.SolidLine),
    "nnx": (PENS["nnx"], 2.5, Qt.SolidLine),
    "linen_ema": (PENS["linen_ema"], 5, Qt.DashLine),
    "nnx_ema": (PENS["nnx_ema"], 2, Qt.DashLine),
    "clip": (PENS["clip"], 2.5, Qt.DashLine),
}
"""One look per curve, the same in the loss, test-accuracy and gradient-norm plots."""


def curve_pen(name: str, zoom: float = 1.0):
    """The pen of a curve, its width scaled with the text zoom (read from the back of a room).

    pyqtgraph draws a wide, solid, opaque pen segment by segment, each with its own ends:
    square ones fill the bends between segments as round ones do (flat ones would notch every
    peak), and cost the software renderer far less. A dashed pen's dashes are as long with
    either.
    """
    colour, width, style = CURVE_STYLES[name]
    pen = pg.mkPen(colour, width=width * zoom, style=style)
    pen.setCapStyle(Qt.SquareCap)
    return pen
