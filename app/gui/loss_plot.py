"""Loss, test-accuracy and gradient-norm curves of the run shown, against step, with the pins'
ghosts. It draws the model: the record as chunks arrive (redraws rate-limited, only the points
worth drawing handed to pyqtgraph), the display settings, the pins and the compile state."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from app.gui.axes import readable_axes
from app.gui.busy_overlay import BusyOverlay
from app.gui.curve_styles import CURVES, PIN_COLOURS, PIN_WIDTH, curve_pen
from app.gui.divergence_mark import DivergenceMark
from app.gui.legend_strip import LegendStrip
from app.gui.pin_ghosts import PinGhosts
from app.gui.readout import HoverReadout
from app.gui.style import LABELS, PENS
from app.gui.theme import Look, style_plot_item
from app.gui.throttle import RedrawThrottle
from app.gui.x_follower import XFollower
from app.model import pins as pinning
from app.model.app_model import AppModel
from app.model.pitfall_notes import PITFALLS
from app.model.series import trailing_mean, visible_peaks

LEFT_AXIS_WIDTH = 96
TITLES = {"acc": "test accuracy", "grad": "gradient norm"}
"""The short plots are named above them: a vertical name would not fit beside them."""


def curve_label(config, paradigm: str) -> str:
    """The legend's name for a paradigm's loss curve: a pitfall's says it carries the bug."""
    note = PITFALLS.get(config.pitfall)
    return note.curve if note and note.paradigm == paradigm and note.curve else LABELS[paradigm]


def _style_plots(plots: dict, look: Look):
    """Axes, grid and labels in the theme; the short plots' names above them, as tall as their text."""
    for name, plot in plots.items():
        labels = {"left": "loss", "bottom": "step"} if name == "loss" else {"bottom": "step"}
        style_plot_item(plot, look, labels, grid=True)
        plot.getAxis("left").setWidth(round(LEFT_AXIS_WIDTH * look.zoom))
        if name in TITLES:
            plot.setTitle(TITLES[name], justify="left", size=f"{look.pt()}pt", color=look.muted)
            height = round(look.pt() * 1.9)  # not pyqtgraph's fixed 30 px
            plot.titleLabel.setMaximumHeight(height)
            plot.layout.setRowFixedHeight(0, height)


def _pin_colour(k: int):
    colour = pg.mkColor(PIN_COLOURS[k % len(PIN_COLOURS)])
    colour.setAlpha(200)
    return colour


ACC_STRETCH = 6
"""The test-accuracy plot's share of the height against the gradient norm's 1 (the loss plot's
is 4): tall enough to see EMA's steadier curve, with a lesson open too."""


class LossPlot(pg.GraphicsLayoutWidget):
    """Loss (top), test accuracy (digits only) and gradient norm (bottom), x linked, for Linen,
    NNX and their EMA weights."""

    readout = Signal(str)  # hover text: the step under the mouse and the values there
    painted = Signal()  # the curves are on screen (emitted as their paint ends)

    def __init__(self, model: AppModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.loss_plot = self.addPlot(row=0, col=0, axisItems=readable_axes())
        self.acc_plot = self.addPlot(row=1, col=0, axisItems=readable_axes())
        self.grad_plot = self.addPlot(row=2, col=0, axisItems=readable_axes())
        self.plots = {"loss": self.loss_plot, "acc": self.acc_plot, "grad": self.grad_plot}
        for plot in (self.acc_plot, self.grad_plot):
            plot.setXLink(self.loss_plot)
        self.strip = LegendStrip(self.loss_plot)
        self.legend = self.strip.legend
        self.loss_curves = {c: self.loss_plot.plot(pen=curve_pen(c)) for c in CURVES}
        self.acc_curves = {c: self.acc_plot.plot(pen=curve_pen(c)) for c in CURVES}
        self.raw_curves = {p: self.loss_plot.plot() for p in LABELS}  # the unsmoothed loss, faded beneath
        for curve in self.raw_curves.values():
            curve.setZValue(-5)
        self.grad_curves = {p: self.grad_plot.plot(pen=curve_pen(p)) for p in LABELS}
        self.clip_line = pg.InfiniteLine(angle=0, pen=curve_pen("clip"))
        self.clip_line.setZValue(10)  # above the curves, which sit on it while they are clipped
        self.grad_plot.addItem(self.clip_line)  # in the range: the threshold is always in view
        self.clip_line.hide()  # until a run clips
        self.divergence = DivergenceMark(self.loss_plot, [*self.loss_curves.values(), *self.raw_curves.values()])
        self._now = pg.PlotDataItem()  # the legend's heading for the current run, beside the pins
        self.ghosts = PinGhosts(self.loss_plot, lambda pin: (pin.steps, pin.loss), _pin_colour, PIN_WIDTH)
        self.pin_labels = []
        self._layout_pending = False
        self.acc_plot.setYRange(0, 1, padding=0.05)  # a share: a sensible axis before the first test
        self._accuracy_floor = 0.0
        self.acc_plot.enableAutoRange(axis="y", enable=False)
        for name, plot in self.plots.items():
            plot.setMenuEnabled(False)
            for side in ("left", "bottom", "top", "right"):  # plain numbers, and (hidden ones too) no
                plot.getAxis(side).enableAutoSIPrefix(False)  # label rewritten at every range change
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)  # the plots do not shift as tick labels change
            for side in ("left", "bottom"):
                # Major and one minor level of ticks: a grid readable from afar. The short plots'
                # values have major lines only: minor ones would crowd them.
                plot.getAxis(side).setStyle(maxTickLevel=0 if side == "left" and name != "loss" else 1)
        self.look = Look()
        self.busy = BusyOverlay(self)
        self.throttle = RedrawThrottle(self._draw, self)
        self.presenting = False
        self._drawn_steps = dict.fromkeys(CURVES, 0)
        self._points = {}  # points each curve was last given
        self._rows = [self.loss_plot, self.acc_plot, self.grad_plot]
        self._arrange(force=True)  # no accuracy until a task that measures it runs
        self.x_axis = XFollower(self)
        self.hover = HoverReadout(self, self.readout.emit)
        events = model.events
        events.run.connect(self._on_model_run)
        events.chunk.connect(self._on_model_chunk)
        events.settings.connect(self._on_model_settings)
        events.pins.connect(self._on_model_pins)
        events.status.connect(self._on_model_status)
        self.apply_look(self.look)

    # What the model says.
    def _on_model_run(self, record):
        """A new run: what is on screen changes with its first chunk, in the same paint (the old
        curves stay up meanwhile instead of flashing an empty plot)."""
        self.divergence.clear()
        self.x_axis.restart()
        self._layout_pending = True  # with the first chunk's draw
        self.throttle.reset()

    def _on_model_chunk(self, chunk):
        if chunk.diverged_at:
            self.divergence.show(min(chunk.diverged_at.values()))
        self.throttle.request()
        if chunk.end >= chunk.total_steps:
            self.throttle.draw_now()  # the run is whole: drawn now, not after the streaming interval

    def _on_model_settings(self, new, old):
        if new.log_y != old.log_y:
            self.loss_plot.setLogMode(y=new.log_y)
            self.grad_plot.setLogMode(y=new.log_y)
            self._place_clip_line()
            self.x_axis.forget()  # the loss moves differently on a log scale
        if (new.smoothing, new.show_steps, new.log_y) != (old.smoothing, old.show_steps, old.log_y):
            self.x_axis.restart()
            self.refresh()

    def _on_model_pins(self, pins):
        self.ghosts.show(pins)
        self._apply_layout()
        self.refresh()

    def _on_model_status(self, status: str):
        """While a new structure compiles, the old curves fade and the plot says why it waits."""
        compiling = status == "compiling"
        if compiling != self.busy.isVisible():
            for plot in self.plots.values():
                for item in plot.listDataItems():
                    item.setOpacity(0.25 if compiling else 1.0)
            self.busy.setVisible(compiling)

    # What is shown.
    @property
    def shown(self) -> list[str]:
        """The paradigms the run shown trains, in display order."""
        record = self.model.record
        return [p for p in LABELS if record is not None and p in record.config.compiled_paradigms]

    def _apply_layout(self):
        """Legend entries, the short plots and the clipping line for the run shown."""
        record = self.model.record
        if record is None:
            return
        pin_names, now = pinning.labels(self.model.pins, record.config)
        self.pin_labels = pin_names
        ghosts = [item for _, item in self.ghosts.items]
        entries = [(self._now, now)] if ghosts else []
        entries += [(self.loss_curves[p], curve_label(record.config, p)) for p in self.shown]
        # Digits measure their EMA weights by test accuracy: the dashed curves are in that plot.
        if record.config.ema_decay is not None:
            entries += [(self.loss_curves[f"{p}_ema"], f"{LABELS[p]} EMA") for p in self.shown]
        entries += list(zip(ghosts, pin_names, strict=True))
        self.strip.set_entries(entries)
        self._arrange()
        self._place_clip_line()
        self.loss_plot.enableAutoRange(axis="y")
        self.grad_plot.enableAutoRange(axis="y")

    def _place_clip_line(self):
        record = self.model.record
        clip_norm = record.config.clip_norm if record is not None else None
        self.clip_line.setVisible(clip_norm is not None)
        # The plot's name says what the dashed line is: a label on the line would sit on the curve.
        title = TITLES["grad"] + ("" if clip_norm is None else f" (dashed: clip at {clip_norm:g})")
        if self.grad_plot.titleLabel.text != title:
            self.grad_plot.setTitle(title, **self.grad_plot.titleLabel.opts)
        if clip_norm is not None:
            self.clip_line.setValue(np.log10(clip_norm) if self.model.settings.log_y else clip_norm)

    def _arrange(self, force: bool = False):
        """The plots under the loss plot: test accuracy for tasks that measure it, the gradient
        norm unless presenting (with clipping on, then too). The bottom one carries the step axis."""
        record = self.model.record
        digits = record is not None and record.config.task == "digits"
        clipped = record is not None and record.config.clip_norm is not None  # its threshold is the point
        wanted = [self.loss_plot] + [self.acc_plot] * digits + [self.grad_plot] * (not self.presenting or clipped)
        if wanted == self._rows and not force:
            return  # unchanged: the axes keep their cached drawing
        for row, plot in enumerate(self._rows[1:], 1):
            self.ci.removeItem(plot)
            self.ci.layout.setRowStretchFactor(row, 0)
        self.ci.layout.setRowStretchFactor(0, 4)  # the loss plot is the tallest
        for row, plot in enumerate(wanted[1:], 1):
            self.ci.addItem(plot, row=row, col=0)
            self.ci.layout.setRowStretchFactor(row, ACC_STRETCH if plot is self.acc_plot else 1)
        for plot in (self.acc_plot, self.grad_plot):
            plot.setVisible(plot in wanted)
        self._rows = wanted
        for plot in wanted:
            axis = plot.getAxis("bottom")
            axis.setStyle(showValues=plot is wanted[-1])
            axis.showLabel(plot is wanted[-1])

    def set_presenting(self, on: bool):
        """Presentation: the loss plot (and test accuracy, and the clipped gradient norm), each
        with its own step axis."""
        self.presenting = on
        self._arrange()

    def apply_look(self, look: Look):
        """Background, axes, labels and the legend in the theme; text and lines at the zoom."""
        self.look = look
        self.setBackground(look.background)
        _style_plots(self.plots, look)
        for c in CURVES:
            self.loss_curves[c].setPen(curve_pen(c, look.zoom))
            self.acc_curves[c].setPen(curve_pen(c, look.zoom))
        for p in LABELS:
            self.grad_curves[p].setPen(curve_pen(p, look.zoom))
            faded = pg.mkColor(PENS[p])
            faded.setAlpha(70)
            self.raw_curves[p].setPen(pg.mkPen(faded, width=2 * look.zoom))
        self.clip_line.setPen(curve_pen("clip", look.zoom))
        self._place_clip_line()  # styling named the gradient-norm plot afresh
        self.ghosts.apply_zoom(look.zoom)
        self.strip.apply_look(look)
        self.divergence.apply_look(look)
        self._arrange(force=True)  # styling showed every axis label again
        self.busy.apply_look(look)

    def paintEvent(self, event):
        super().paintEvent(event)
        self.painted.emit()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if hasattr(self, "busy"):  # not while the base class builds the plots
            self.strip.fit()
            self.busy.place()

    # Drawing.
    @property
    def pending(self) -> bool:
        """Data has arrived that the next timer tick will draw."""
        return self.throttle.pending

    def refresh(self):
        """Redraw now, for a change that is not new data (a pin, a display setting). A run with
        no steps yet is not drawn: the curves before it stay up until its first chunk."""
        record = self.model.record
        if record is not None and record.paradigms:
            self.throttle.pending = True
            self.throttle.draw_now()

    def redraw(self):
        """Draw whatever has arrived, now."""
        self.throttle.draw_now()

    def curve_lengths(self) -> dict[str, int]:
        """Steps the loss curves on screen cover (what the tests and the benchmark look at)."""
        return dict(self._drawn_steps)

    def _draw(self):
        record, smoothing = self.model.record, self.model.settings.smoothing
        if record is None:
            return
        if self._layout_pending:
            self._layout_pending = False
            self._apply_layout()
        self.x_axis.follow()
        x_min, x_max = self.loss_plot.vb.viewRange()[0]
        most = int(4 * max(self.loss_plot.vb.width(), 100))
        for p in LABELS:
            for curve, (steps, y), name in (
                (self.loss_curves[p], record.curve(p), p),
                (self.grad_curves[p], record.curve(p, "grad_norm"), None),
                (self.loss_curves[f"{p}_ema"], record.curve(p, "ema_loss"), f"{p}_ema"),
                (self.acc_curves[p], record.tests(p), None),
                (self.acc_curves[f"{p}_ema"], record.tests(p, "ema_test_accuracy"), None),
            ):
                if name and smoothing > 1:
                    y = trailing_mean(y, smoothing)
                self._put(curve, *visible_peaks(steps, y, x_min, x_max, most))
                if name:
                    self._drawn_steps[name] = len(y)
            x, raw = record.curve(p) if smoothing > 1 else (np.empty(0), np.empty(0))
            self.raw_curves[p].setVisible(smoothing > 1)
            self._put(self.raw_curves[p], *visible_peaks(x, raw, x_min, x_max, most))
        self._follow_accuracy(record)
        # Settle the y ranges as the paint would, twice: the first pass moves the views,
        # which re-bounds their curves and would otherwise ask for a second paint.
        for plot in self._rows * 2:
            plot.vb.prepareForPaint()
        self.divergence.place()

    def _follow_accuracy(self, record):
        """The accuracy axis from a little under most tests (the lowest tenth left out: the
        first tests of a run) up to 1, in steps of 0.05: the differences a lesson speaks of
        show."""
        tests = [record.tests(p, name)[1] for p in LABELS for name in ("test_accuracy", "ema_test_accuracy")]
        values = np.concatenate([t[np.isfinite(t)] for t in tests]) if tests else np.empty(0)
        lower = 0.0 if len(values) < 3 else max(0.0, np.floor((np.quantile(values, 0.1) - 0.02) * 20) / 20)
        if lower != self._accuracy_floor:
            self._accuracy_floor = lower
            self.acc_plot.setYRange(lower, 1.0, padding=0.02)

    def _put(self, curve, x, y):
        """Hand `curve` its points, unless it had none and still has none (EMA off, say): an
        empty curve given nothing again costs pyqtgraph as much as a short one."""
        if len(x) or self._points.get(curve, 1):
            curve.setData(x, y, skipFiniteCheck=True)  # curves end at their last finite step
            self._points[curve] = len(x)
