"""The line fit's loss landscape: the batch's mean squared error over (kernel, bias), drawn as
shading and contours with its minimum marked, and the path each paradigm's weights take, live,
with the pins' paths and a single inspected step's vectors.

For a line the loss is an exact quadratic of its two weights (`line_loss`), so the surface is
computed from five sums of the batch, never sampled from the run.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem

from app.gui.curve_styles import curve_pen
from app.gui.pin_ghosts import PinGhosts
from app.gui.style import BASE_POINT_SIZE, LABELS, PENS
from app.gui.theme import Look, style_plot_item
from app.gui.throttle import RedrawThrottle
from app.model.app_model import AppModel
from app.model.line_loss import line_loss

PATHS = ("linen", "nnx", "linen_ema", "nnx_ema")
GRID = 160
"""The surface is evaluated on GRID × GRID points of the view's frame."""
CONTOURS = 7
CONTOUR_STEP = 0.4
"""Each contour is this fraction of the rise above the minimum of the one outside it."""
FRAME_LOSS = 10.0
"""The frame holds the path while its loss is within this many times the first step's: a run
past the stability edge shows its zig-zag growing, not its flight to infinity."""
MARGIN = 0.15
MIN_SPAN = 0.5
DENSE_STEPS = 2000
"""Long paths are drawn whole for their first steps, where the action is, then thinned to
about as many points again (the record keeps every step)."""
REDRAW_MS = 30
DRAWN_REACH = 20
"""Path points further than this many frame widths from its centre are not drawn."""


def _area(box) -> float:
    return (box[1] - box[0]) * (box[3] - box[2])


def _pair(values) -> np.ndarray:
    return np.array([float(values["kernel"]), float(values["bias"])])


def _pin_path(pin):
    """A pin's path, thinned as a live one is (None for a digits run: it has no line)."""
    if pin.path is None:
        return None
    k, b = pin.path
    keep = drawn_points(len(k))
    return k[keep], b[keep]


def drawn_points(n: int) -> np.ndarray:
    """Which of a path's `n` points are drawn: all of the first DENSE_STEPS, then about as many
    evenly spaced, and always the last."""
    if n <= 2 * DENSE_STEPS:
        return np.arange(n)
    later = np.linspace(DENSE_STEPS, n - 1, DENSE_STEPS).round().astype(int)
    return np.concatenate([np.arange(DENSE_STEPS), np.unique(later)])


class LandscapeView(pg.PlotWidget):
    """Shading of log loss, its contours and minimum; each paradigm's (kernel, bias) path."""

    def __init__(self, model: AppModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("lossLandscape")
        self.loss = line_loss()
        self.surface = pg.ImageItem()
        self.surface.setZValue(-20)
        # The shading changes with the frame only: scaled to the screen once, then copied.
        self.surface.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.addItem(self.surface)
        self.contours = [self.plot() for _ in range(CONTOURS)]
        for item in self.contours:
            item.setZValue(-15)
        self.paths = {name: self.plot() for name in PATHS}
        self.ends = pg.ScatterPlotItem(size=12, pxMode=True)  # where each paradigm is now
        self.addItem(self.ends)
        self.ghosts = PinGhosts(self, _pin_path, self._pin_colour, 2, Qt.SolidLine)
        self.minimum = pg.ScatterPlotItem(
            [self.loss.minimum[0]], [self.loss.minimum[1]], symbol="star", size=22, pxMode=True
        )
        self.addItem(self.minimum)
        self.arrows = []  # a single step's vectors: (line, head) pairs
        self.arrowed = None  # the Inspection they show
        self.frame = None  # (k0, k1, b0, b1) the surface covers
        self._refit = False  # a new run: the frame may shrink to its path
        self.record = None
        self.look = Look()
        self.throttle = RedrawThrottle(self.redraw, self, REDRAW_MS)
        self.setMenuEnabled(False)
        # One unit of slope is as long on screen as one of bias: the valley's true shape (a
        # long narrow one looks round when each axis is stretched to its own span).
        self.setAspectLocked(True)
        self.painted = None  # (k0, k1, b0, b1) the shading covers: the view's range, at least the frame
        self.getViewBox().sigRangeChanged.connect(self._aim_heads)
        self.getViewBox().sigRangeChanged.connect(self._cover_view)
        for side in ("left", "bottom"):
            self.getAxis(side).enableAutoSIPrefix(False)  # weights as they are, not in thousandths
        self.setToolTip(
            "The loss over the line's two weights, shaded by its size, with contours; the star is "
            "its minimum. Each path is where a paradigm's weights went, step by step (dashed: the "
            "EMA weights; the dot: where they are now)."
        )
        self.apply_look(self.look)
        events = model.events
        events.run.connect(self.new_run)
        events.chunk.connect(self.request)
        events.inspection.connect(self.show_step)
        events.pins.connect(self.ghosts.show)

    def apply_look(self, look: Look):
        self.look = look
        self.setBackground(look.background)
        style_plot_item(self.getPlotItem(), look, {"bottom": "kernel (slope)", "left": "bias"}, BASE_POINT_SIZE - 2)
        for name, path in self.paths.items():
            path.setPen(curve_pen(name, look.zoom))
        self.minimum.setBrush(pg.mkBrush(look.foreground))
        self.minimum.setPen(pg.mkPen(look.background, width=1.5))
        self.ends.setPen(pg.mkPen(look.background, width=1.5))
        self.ghosts.apply_zoom(look.zoom)
        if self.arrows:
            self.show_step(self.arrowed)  # in the new look
        if self.frame is not None:
            self._paint_surface()

    def new_run(self, record):
        """Draw `record` from now on. The frame stays while the new path fits it and fills a
        quarter of it: a slider moved a little redraws the paths, not the surface."""
        self.record = record
        self._refit = True
        self.show_step(None)
        self.request()

    def show_step(self, inspection):
        """Draw one step's vectors from the weights it started from (None: none). For NNX (or
        Linen alone): −lr·gradient, what plain SGD would move; −lr·clipped gradient, with
        clipping; and the update the step applied (momentum's or Adam's, clipped or not)."""
        for line, head in self.arrows:
            self.removeItem(line)
            self.removeItem(head)
        self.arrows, self.arrowed = [], inspection
        if inspection is None or self.record is None or self.record.config.task != "line":
            return
        p = next((p for p in ("nnx", "linen") if "update applied" in inspection.values.get(p, {})), None)
        if p is None:
            return  # no paradigm applied an update (diverged, or its update was thrown away)
        values, lr = inspection.values[p], self.record.config.lr
        start = np.array([float(values["params before"][n]) for n in ("kernel", "bias")])
        if (
            not all(np.isfinite(_pair(values[n])).all() for n in ("gradients", "update applied"))
            or not np.isfinite(start).all()
        ):
            return  # a step that blew up: nothing to draw
        vectors = [("−lr·gradient", -lr * _pair(values["gradients"]), self.look.muted, Qt.SolidLine)]
        if "clipped gradients" in values:
            vectors.append(
                ("−lr·clipped gradient", -lr * _pair(values["clipped gradients"]), PENS["clip"], Qt.DashLine)
            )
        vectors.append(("update applied", _pair(values["update applied"]), PENS[p], Qt.SolidLine))
        for label, vector, colour, style in vectors:
            end = start + vector
            line = pg.PlotDataItem(
                [start[0], end[0]], [start[1], end[1]], pen=pg.mkPen(colour, width=3 * self.look.zoom, style=style)
            )
            head = pg.ArrowItem(pos=tuple(end), headLen=14 * self.look.zoom, brush=colour, pen=None)
            head.setToolTip(label)
            line.setToolTip(label)
            self.addItem(line)
            self.addItem(head)
            self.arrows.append((line, head))
        self.redraw()  # the frame takes the arrows' ends in
        self._aim_heads()

    def _aim_heads(self):
        """Point each arrow's head along its shaft as drawn: the axes' scales differ, so the
        angle is taken on screen (an ArrowItem at angle 0 points left; the screen's y runs down)."""
        box = self.getViewBox()
        for line, head in self.arrows:
            k, b = line.getData()
            tail, tip = (box.mapViewToDevice(QPointF(float(k[i]), float(b[i]))) for i in (0, 1))
            if tail is not None and tip is not None:
                head.setStyle(angle=float(np.degrees(np.arctan2(tail.y() - tip.y(), tail.x() - tip.x()))))

    def request(self, _chunk=None):
        """Redraw now, or once REDRAW_MS have passed since the last redraw, if anyone can see it."""
        if self.isVisible() and self.record is not None and self.record.config.task == "line":
            self.throttle.request()

    def showEvent(self, event):
        super().showEvent(event)
        self.redraw()

    def _pin_colour(self, _k):
        colour = pg.mkColor(self.look.muted)
        colour.setAlpha(150)
        return colour

    def _path(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The path of 'nnx', 'linen' or '<p>_ema' (see `RunRecord.path`)."""
        paradigm, _, ema = name.partition("_")
        return self.record.path(paradigm, bool(ema))

    def _stale_arrows(self) -> bool:
        """The run went on past the step the arrows show."""
        step = self.arrowed.step if self.arrowed is not None else None
        return step is not None and max(self.record.steps_done(p) for p in LABELS) > step + 1

    def redraw(self):
        """The paths as far as the record goes, and the surface if they left its frame.

        Points far outside the frame (a run flying off past the stability edge) are not drawn:
        they leave the view anyway, and coordinates near float32's limit would overflow the
        painter."""
        if self.record is None or self.record.config.task != "line":
            return
        if self._stale_arrows():
            self.show_step(None)
        frame = self._frame()
        if frame != self.frame:
            self.frame = frame
            self._paint_surface()
        k0, k1, b0, b1 = frame
        reach_k, reach_b = DRAWN_REACH * (k1 - k0), DRAWN_REACH * (b1 - b0)
        ends = []
        for name, item in self.paths.items():
            k, b = self._path(name)
            keep = drawn_points(len(k))
            keep = keep[(np.abs(k[keep] - (k0 + k1) / 2) <= reach_k) & (np.abs(b[keep] - (b0 + b1) / 2) <= reach_b)]
            item.setData(k[keep], b[keep])
            if len(keep) and "_" not in name:
                ends.append({"pos": (k[keep[-1]], b[keep[-1]]), "brush": pg.mkBrush(PENS[name])})
        self.ends.setData(ends)

    def _frame(self):
        """The least box holding the minimum and every path's points within FRAME_LOSS of its
        first loss, padded; the current frame if it already holds them."""
        k0, k1 = (self.loss.minimum[0],) * 2
        b0, b1 = (self.loss.minimum[1],) * 2
        first = None  # the first step's loss: what "near" is measured against
        paths = [self._path(name) for name in PATHS] + [line.getData() for line, _ in self.arrows]
        for k, b in paths:
            if not len(k):
                continue
            loss = self.loss(k, b)
            first = loss[0] if first is None else first
            near = np.isfinite(loss) & (loss <= FRAME_LOSS * first)
            if near.any():
                k0, k1 = min(k0, k[near].min()), max(k1, k[near].max())
                b0, b1 = min(b0, b[near].min()), max(b1, b[near].max())
        if first is None and self.frame is not None:
            return self.frame  # no step yet: the last run's frame until the first one arrives
        fitted = self._padded(k0, k1, b0, b1)
        if self.frame is not None:
            f = self.frame
            holds = f[0] <= k0 and k1 <= f[1] and f[2] <= b0 and b1 <= f[3]
            if holds and not (self._refit and _area(f) > 4 * _area(fitted)):
                self._refit = False
                return self.frame
        self._refit = False
        return fitted

    @staticmethod
    def _padded(k0, k1, b0, b1):
        """A box around (k0..k1, b0..b1) with a margin, at least MIN_SPAN wide and high."""
        pad_k = max(k1 - k0, MIN_SPAN) * MARGIN + max(MIN_SPAN - (k1 - k0), 0) / 2
        pad_b = max(b1 - b0, MIN_SPAN) * MARGIN + max(MIN_SPAN - (b1 - b0), 0) / 2
        return (float(k0 - pad_k), float(k1 + pad_k), float(b0 - pad_b), float(b1 + pad_b))

    def _paint_surface(self):
        """Log loss over the frame as shading (light at the minimum), with CONTOURS contours at
        rises a constant factor apart: exact ellipses (tracing them from the grid, as
        pyqtgraph's IsocurveItem does, is slow enough to be felt at every new frame)."""
        box = self.getViewBox()
        if box.width() < 2 or box.height() < 2:
            self.painted = None  # not laid out yet: shaded once it has a size (see _cover_view)
            return
        self.setRange(xRange=self.frame[:2], yRange=self.frame[2:], padding=0)  # widened to equal scales
        (k0, k1), (b0, b1) = box.viewRange()
        k0, k1 = min(k0, self.frame[0]), max(k1, self.frame[1])
        b0, b1 = min(b0, self.frame[2]), max(b1, self.frame[3])
        self.painted = (k0, k1, b0, b1)
        k, b = np.meshgrid(np.linspace(k0, k1, GRID), np.linspace(b0, b1, GRID), indexing="ij")
        excess = np.log10(np.maximum(self.loss(k, b) - self.loss(*self.loss.minimum), 1e-12))
        low, high = self.look.background, ("#4A4F5C" if self.look.dark else "#B9C2D3")
        self.surface.setImage(excess, lut=pg.ColorMap([0, 1], [low, high]).getLookupTable(nPts=256))
        self.surface.setRect(QRectF(k0, b0, k1 - k0, b1 - b0))
        # Contours at rises a factor CONTOUR_STEP apart, from the frame's highest corner down.
        top = max(self.loss(kc, bc) for kc in (k0, k1) for bc in (b0, b1)) - self.loss(*self.loss.minimum)
        pen = pg.mkPen(self.look.muted, width=1.5 * self.look.zoom)  # readable across a room
        for level, item in enumerate(self.contours, 1):
            item.setData(*self.loss.contour(top * CONTOUR_STEP**level))
            item.setPen(pen)

    def _cover_view(self):
        """Shade afresh when the view shows more than the shading covers, or much less (a
        resized panel: shading and contours made for a far larger range are coarse and out of
        sight)."""
        if self.frame is None:
            return
        if self.painted is None:
            self._paint_surface()
            return
        (k0, k1), (b0, b1) = self.getViewBox().viewRange()
        p = self.painted
        slack = 1e-6 * max(p[1] - p[0], p[3] - p[2])
        outside = k0 < p[0] - slack or k1 > p[1] + slack or b0 < p[2] - slack or b1 > p[3] + slack
        coarse = (p[1] - p[0]) > 1.5 * max(k1 - k0, self.frame[1] - self.frame[0]) or (p[3] - p[2]) > 1.5 * max(
            b1 - b0, self.frame[3] - self.frame[2]
        )
        if outside or coarse:
            self._paint_surface()
