"""Loss, test-accuracy and gradient-norm curves of a RunRecord against step: redraws are
rate-limited, and only the points worth drawing are handed to pyqtgraph."""

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QHBoxLayout, QLabel, QProgressBar, QWidget

from app.gui.axes import readable_axes
from app.gui.style import BASE_POINT_SIZE, LABELS, PENS, sized_font
from app.gui.theme import Look, style_legend, style_plot_item
from app.model.pitfall_notes import PITFALLS
from app.model.series import moving_until, nice_ceiling, trailing_mean, visible_peaks
from app.model.settings import pin_labels

REDRAW_MS = 16
REDRAW_SHARE = 0.25
"""Redraws may take at most this share of the GUI thread's time; long curves redraw less often."""
LEFT_AXIS_WIDTH = 96
LINEN_WIDTH = 6  # Linen is drawn wide under NNX, so the two stay visible where they coincide
MAX_PINS = 8
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
MIN_STEPS_SHOWN = 20
FOLLOW_MARGIN = 1.25
"""Following the action, the x-axis shows at least this many times the steps in which the loss
moves, rounded up to a round number (so it holds still while a slider moves a little)."""
COMPILING = "compiling the step (first run of these settings)…"


def curve_pen(name: str, zoom: float = 1.0):
    """The pen of a curve, its width scaled with the text zoom (read from the back of a room)."""
    colour, width, style = CURVE_STYLES[name]
    return pg.mkPen(colour, width=width * zoom, style=style)


class LossPlot(pg.GraphicsLayoutWidget):
    """Loss (top), test accuracy (digits only) and gradient norm (bottom), x linked, for Linen,
    NNX and their EMA weights."""

    readout = Signal(str)  # hover text: the step under the mouse and the values there

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = self.addPlot(row=0, col=0, axisItems=readable_axes())
        self.acc_plot = self.addPlot(row=1, col=0, axisItems=readable_axes())
        self.grad_plot = self.addPlot(row=2, col=0, axisItems=readable_axes())
        self.acc_plot.setXLink(self.loss_plot)
        self.grad_plot.setXLink(self.loss_plot)
        self.ci.layout.setRowStretchFactor(0, 4)  # the loss plot is the tallest
        self.ci.layout.setRowStretchFactor(1, 1)
        self.ci.layout.setRowStretchFactor(2, 1)
        # One legend for all three plots, in a strip above the loss plot: never over the data.
        self.legend = pg.LegendItem(offset=None)
        self.legend.setParentItem(self.loss_plot)
        self.legend.layout.setContentsMargins(4, 0, 4, 0)  # the strip is as tall as its text
        # Left in the strip: which steps show. A plain text item: a new text re-lays nothing out.
        self.steps_note = QGraphicsSimpleTextItem(self.loss_plot)
        self._strip = None  # the legend's drop and the strip's height last set
        self._reading = False  # the mouse is over the plots, reading a step out
        self.loss_curves = {c: self.loss_plot.plot(pen=curve_pen(c)) for c in CURVES}
        self.acc_curves = {c: self.acc_plot.plot(pen=curve_pen(c)) for c in CURVES}
        self.raw_curves = {}  # the unsmoothed loss, faded beneath the smoothed one
        for p in LABELS:
            self.raw_curves[p] = self.loss_plot.plot()
            self.raw_curves[p].setZValue(-5)
        self.smoothing = 1
        self.grad_curves = {p: self.grad_plot.plot(pen=curve_pen(p)) for p in LABELS}
        self.clip_line = pg.InfiniteLine(
            angle=0, pen=curve_pen("clip"), label="", labelOpts={"position": 0.97, "anchors": [(1, 1), (1, 1)]}
        )
        self.grad_plot.addItem(self.clip_line, ignoreBounds=True)
        self.clip_line.hide()  # until a run clips
        self.diverged_line = None  # added at a divergence only: a labelled line costs every redraw
        self._now = pg.PlotDataItem()  # the legend's heading for the current run, beside the pins
        self.acc_plot.setYRange(0, 1, padding=0.05)  # a share: a sensible axis before the first test
        self.acc_plot.enableAutoRange(axis="y", enable=False)
        self._labels = {  # the step axis shows under the bottom plot only (see `_arrange`)
            self.loss_plot: {"left": "loss", "bottom": "step"},
            self.acc_plot: {"bottom": "step"},
            self.grad_plot: {"bottom": "step"},
        }
        self._titles = {self.acc_plot: "test accuracy", self.grad_plot: "gradient norm"}
        """The short plots are named above them: a vertical name would not fit beside them."""
        for plot in self._labels:
            plot.setMenuEnabled(False)
            for side in ("left", "bottom", "top", "right"):  # plain numbers, and (hidden ones too) no
                plot.getAxis(side).enableAutoSIPrefix(False)  # label rewritten at every range change
            # A fixed width: the plots do not shift (and re-layout) when tick labels change.
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            for side in ("left", "bottom"):
                # Major and one minor level of ticks: a grid readable from afar, and half the
                # paint time of pyqtgraph's three levels. The short plots' values have major
                # lines only: minor ones would crowd them (the grid's lines are all one colour).
                short = side == "left" and plot is not self.loss_plot
                plot.getAxis(side).setStyle(maxTickLevel=0 if short else 1)
        self.look = Look()
        self.busy = _Busy(self)
        self.record = None  # the RunRecord drawn
        self.show_steps = None  # the last step shown; None: follow the loss while it moves
        self._follow = True
        self._ranging = False
        self._x_shown = None
        self._config = None
        self._shown = []
        self._layout_pending = False
        self._dirty = False
        self._last_draw = 0.0
        self.last_draw_seconds = 0.0  # how long the last redraw took (the benchmark reads it)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)
        self._drawn_steps = dict.fromkeys(CURVES, 0)
        self._points = {}  # points each curve was last given
        self.loss_plot.sigXRangeChanged.connect(self._view_moved)
        self.scene().sigMouseMoved.connect(self._hover)
        self.presenting = False
        self._rows = [self.loss_plot, self.acc_plot, self.grad_plot]
        self._arrange(force=True)  # no accuracy until a task that measures it runs
        self.pins = []  # (config, curve item), oldest first
        self.pin_labels = []
        self.now_label = ""
        for plot in (self.loss_plot, self.acc_plot, self.grad_plot):
            plot.vb.sigRangeChangedManually.connect(self._stop_following)
        self.apply_look(self.look)

    def reset(self, record):
        """Draw a new run's `record` from now on.

        What is on screen changes with the new run's first chunk, in the same paint: the
        old curves stay up meanwhile instead of flashing an empty plot.
        """
        config = record.config
        self.record = record
        if self.diverged_line is not None:
            self.loss_plot.removeItem(self.diverged_line)
            self.diverged_line = None
        self._config = config
        self._shown = [p for p in LABELS if p in config.compiled_paradigms]
        self._layout_pending = True
        self._follow, self._x_shown = True, None
        if self.busy.isVisible():
            self.show_compiling(False)
        self._last_draw = 0.0  # a new run's first chunk is drawn at once
        self._timer.stop()

    def show_compiling(self, on: bool):
        """While a new structure compiles, the old curves fade and the plot says why it waits."""
        for plot in (self.loss_plot, self.acc_plot, self.grad_plot):
            for item in plot.listDataItems():
                item.setOpacity(0.25 if on else 1.0)
        self.busy.setVisible(on)

    def set_show_steps(self, steps: int | None):
        """Show steps 0 to `steps` (None: follow the loss while it moves)."""
        self.show_steps = steps
        self._follow, self._x_shown = True, None
        self._refresh()

    def _stop_following(self):
        """The user zoomed or panned: the view is theirs until the next run (and the note above
        the plot no longer says which steps it shows)."""
        self._follow, self._x_shown = False, None
        self._note_steps("")

    def _x_end(self) -> tuple[int, str]:
        """The last step the x-axis shows (the one asked for, else as far as the loss moves),
        and what the note above the plot says of it when it shows less than the run."""
        total = self._config.steps
        if self.show_steps is not None:
            return self.show_steps, "" if self.show_steps >= total - 1 else f"steps 0–{self.show_steps:,} of {total:,}"
        moving, flat = 0, True
        for p in self._shown:
            steps, loss = self.record.curve(p)
            if self.smoothing > 1:
                loss = trailing_mean(loss, self.smoothing)
            if self.log_y:
                loss = np.log10(np.maximum(loss, np.finfo(np.float64).tiny))
            if len(steps):
                n = moving_until(loss)
                moving, flat = max(moving, steps[n - 1]), flat and n < len(steps)
        end = min(max(total - 1, 1), max(MIN_STEPS_SHOWN, round(nice_ceiling(FOLLOW_MARGIN * max(moving, 1)))))
        done = self.record.steps_done(self._shown[0]) if self._shown else 0
        says = flat and end < total - 1 and done >= total
        return end, f"steps 0–{end:,} of {total:,}, then flat" if says else ""

    def _follow_the_action(self):
        if not self._follow:
            return
        end, title = self._x_end()
        if end != self._x_shown:
            self._ranging = True  # not a move of the user's
            self.loss_plot.setXRange(0, end, padding=0.02)
            self._ranging = False
            self._x_shown = end
        self._note_steps(title)

    def _note_steps(self, text: str):
        """Say, in the strip above the plot, when the x-axis shows less than the run."""
        if text != self.steps_note.text():
            self.steps_note.setText(text)
            self._fit_legend()

    def curve_label(self, paradigm: str) -> str:
        """The legend's name for a paradigm's loss curve: a pitfall's says it carries the bug."""
        note = PITFALLS.get(self._config.pitfall)
        return note.curve if note and note.paradigm == paradigm and note.curve else LABELS[paradigm]

    def _apply_layout(self):
        """Legend entries and the clipping line for the current run."""
        config = self._config
        ema = config.ema_decay is not None
        entries = [(self._now, self.now_label)] if self.pins else []
        entries += [(self.loss_curves[p], self.curve_label(p)) for p in self._shown]
        # Digits measure their EMA weights by test accuracy: the dashed curves are in that plot.
        entries += [(self.loss_curves[f"{p}_ema"], f"{LABELS[p]} EMA weights") for p in self._shown if ema]
        entries += [(ghost, label) for (_, ghost), label in zip(self.pins, self.pin_labels, strict=False)]
        if entries != getattr(self.legend, "_wanted", None):
            self.legend.clear()
            for item, label in entries:
                self.legend.addItem(item, label)
            self.legend._wanted = entries
            self._fit_legend()
        self._arrange()
        self.clip_line.setVisible(config.clip_norm is not None)
        if config.clip_norm is not None:
            self.clip_line.setValue(np.log10(config.clip_norm) if self.log_y else config.clip_norm)
            self.clip_line.label.setFormat(f"clip at {config.clip_norm:g}")
        self.loss_plot.enableAutoRange(axis="y")
        self.grad_plot.enableAutoRange(axis="y")
        self._layout_pending = False

    def _fit_legend(self):
        """The strip above the plot: the steps note on the left, the legend on the right in as
        many columns as fit beside it (or, if it cannot fit beside it, under it); as tall as
        its rows."""
        axis = self.loss_plot.getAxis("left").width()
        width = self.loss_plot.width() - axis
        note = self.steps_note.boundingRect() if self.steps_note.text() else QRectF()
        self.steps_note.setPos(axis, 0)
        beside = self._legend_columns(width - note.width())
        columns = beside or self._legend_columns(width) or 1
        if columns != self.legend.columnCount:  # a new count rebuilds the legend
            self.legend.setColumnCount(columns)
        below = 0 if beside else note.height()
        legend = self.legend.height() if self.legend.items else 0
        strip = max(below + legend, note.height())
        if (below, strip) != self._strip:  # moving them re-lays the plot out
            self.legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-4, below))
            self.loss_plot.layout.setRowFixedHeight(0, strip + 2 if strip else 0)
            self._strip = (below, strip)

    def _legend_columns(self, room: float) -> int:
        """The most legend columns whose rows fit in `room` pixels (0: not even one)."""
        widths = [sample.width() + label.width() + 10 for sample, label in self.legend.items]
        for columns in range(max(len(widths), 1), 0, -1):
            cells = [max(widths[c::columns], default=0) for c in range(columns)]
            if sum(cells) <= room:
                return columns
        return 0

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if not hasattr(self, "busy"):
            return  # the base class resizes before the plots exist
        self._fit_legend()
        self.busy.place()

    def _arrange(self, force: bool = False):
        """The plots under the loss plot: test accuracy for tasks that measure it, the gradient
        norm unless presenting. The bottom one carries the step axis."""
        digits = self._config is not None and self._config.task == "digits"
        wanted = [self.loss_plot] + [self.acc_plot] * digits + [self.grad_plot] * (not self.presenting)
        if wanted == self._rows and not force:
            return  # unchanged: the axes keep their cached drawing
        for row, plot in enumerate(self._rows[1:], 1):
            self.ci.removeItem(plot)
            self.ci.layout.setRowStretchFactor(row, 0)
        for row, plot in enumerate(wanted[1:], 1):
            self.ci.addItem(plot, row=row, col=0)
            self.ci.layout.setRowStretchFactor(row, 1)
        for plot in (self.acc_plot, self.grad_plot):
            plot.setVisible(plot in wanted)
        self._rows = wanted
        for plot in wanted:
            axis = plot.getAxis("bottom")
            axis.setStyle(showValues=plot is wanted[-1])
            axis.showLabel(plot is wanted[-1])

    def set_presenting(self, on: bool):
        """Presentation: the loss plot alone, with its own step axis."""
        self.presenting = on
        self._arrange()

    def append(self, chunk):
        """The record has a new chunk: mark a divergence, and ask for a redraw."""
        if chunk.diverged_at and self.diverged_line is None:
            step = min(chunk.diverged_at.values())
            self.diverged_line = pg.InfiniteLine(
                step,
                angle=90,
                label=f"diverged at step {step:,} ",
                labelOpts={"position": 0.85, "anchors": [(1, 0.5), (1, 0.5)]},
            )
            self._style_diverged_line()
            self.loss_plot.addItem(self.diverged_line, ignoreBounds=True)
        if self.busy.isVisible():
            self.show_compiling(False)
        self._request_redraw()

    def apply_look(self, look: Look):
        """Background, axes, labels and the legend in the theme; text and lines at the zoom."""
        self.look = look
        self.setBackground(look.background)
        for plot, labels in self._labels.items():
            style_plot_item(plot, look, labels, grid=True)
            plot.getAxis("left").setWidth(round(LEFT_AXIS_WIDTH * look.zoom))
        for plot, title in self._titles.items():
            plot.setTitle(title, justify="left", size=f"{look.pt()}pt", color=look.muted)
            height = round(look.pt() * 1.9)  # the title's row, as tall as its text (not pyqtgraph's fixed 30 px)
            plot.titleLabel.setMaximumHeight(height)
            plot.layout.setRowFixedHeight(0, height)
        for c in CURVES:
            self.loss_curves[c].setPen(curve_pen(c, look.zoom))
            self.acc_curves[c].setPen(curve_pen(c, look.zoom))
        for p in LABELS:
            self.grad_curves[p].setPen(curve_pen(p, look.zoom))
            faded = pg.mkColor(PENS[p])
            faded.setAlpha(70)
            self.raw_curves[p].setPen(pg.mkPen(faded, width=2 * look.zoom))
        self.clip_line.setPen(curve_pen("clip", look.zoom))
        self.clip_line.label.setColor(look.foreground)
        for _, ghost in self.pins:
            ghost.setPen(self._pin_pen(ghost.opts["pen"].color()))
        style_legend(self.legend, look)
        self.steps_note.setFont(sized_font(look.pt()))
        self.steps_note.setBrush(pg.mkColor(look.muted))
        if self.diverged_line is not None:
            self._style_diverged_line()
        self._arrange(force=True)  # styling showed every axis label again
        self._fit_legend()
        self.busy.apply_look(look)

    def _style_diverged_line(self):
        """The divergence mark in the theme's red, its label on a backdrop, both at the zoom."""
        look, line = self.look, self.diverged_line
        line.setPen(pg.mkPen(look.wrong, width=2 * look.zoom, style=Qt.DashLine))
        line.label.setColor(look.wrong)
        line.label.fill = pg.mkBrush(look.backdrop)
        line.label.setFont(sized_font(look.pt()))

    def set_smoothing(self, steps: int):
        """Draw the loss as a trailing mean over `steps` steps (1: as it is)."""
        self.smoothing = max(int(steps), 1)
        self._refresh()

    def pin(self, config):
        """Keep the loss curve of `config`'s run (NNX's, or Linen's alone) as a faded ghost."""
        p = "nnx" if self.record.steps_done("nnx") else "linen"
        x, y = (a.copy() for a in self.record.curve(p))
        if len(self.pins) == MAX_PINS:
            _, oldest = self.pins.pop(0)
            self.loss_plot.removeItem(oldest)
        colour = pg.mkColor(PIN_COLOURS[len(self.pins) % len(PIN_COLOURS)])
        colour.setAlpha(200)
        ghost = pg.PlotDataItem(x, y, pen=self._pin_pen(colour))
        ghost.setZValue(-10)  # behind the live curves
        self.loss_plot.addItem(ghost)
        self.pins.append((config, ghost))
        self.label_pins(config)
        self._refresh()

    def _pin_pen(self, colour):
        return pg.mkPen(colour, width=PIN_WIDTH * self.look.zoom, style=Qt.DotLine)

    def clear_pins(self):
        for _, ghost in self.pins:
            self.loss_plot.removeItem(ghost)
        self.pins.clear()
        self.pin_labels = []
        self._layout_pending = True
        self._refresh()

    def _refresh(self):
        """Redraw now, for a change that is not new data (a pin, say)."""
        if self._config is not None:
            self._dirty = True
            self.redraw()

    def label_pins(self, current):
        """Name each pin by the settings that differ among the pins and the current run."""
        labels = pin_labels([c for c, _ in self.pins] + [current])
        self.pin_labels = [f"pin: {label}" for label in labels[:-1]]
        self.now_label = f"now: {labels[-1]}"
        self._layout_pending = True  # the legend shows them with the next draw

    @property
    def log_y(self) -> bool:
        return self.loss_plot.ctrl.logYCheck.isChecked()

    def set_log_y(self, on: bool):
        """Log scale for loss and gradient norm (accuracy stays linear)."""
        self.loss_plot.setLogMode(y=on)
        self.grad_plot.setLogMode(y=on)
        clip_norm = self._config.clip_norm if self._config else None
        if clip_norm is not None:
            self.clip_line.setValue(np.log10(clip_norm) if on else clip_norm)
        self._x_shown = None  # the loss moves differently on a log scale
        self._refresh()

    @property
    def pending(self) -> bool:
        """Data has arrived that the next timer tick will draw."""
        return self._dirty

    def curve_lengths(self) -> dict[str, int]:
        """Steps the loss curves on screen cover (what the tests and the benchmark look at)."""
        return dict(self._drawn_steps)

    def _view_moved(self):
        """Zoomed or panned: the visible steps change, so do the points worth drawing."""
        if self._ranging:
            return  # the draw under way draws the new range
        self._dirty = True
        self._timer.start(0)

    def _request_redraw(self):
        """Draw now if the last draw was long enough ago, else once the interval is over."""
        self._dirty = True
        if self._timer.isActive():
            return
        interval = max(REDRAW_MS / 1000, self.last_draw_seconds / REDRAW_SHARE)
        wait = interval - (time.perf_counter() - self._last_draw)
        if wait <= 0:
            self.redraw()
        else:
            self._timer.start(int(wait * 1000) + 1)

    def redraw(self):
        """Draw whatever has arrived, now."""
        if not self._dirty:
            return
        if self._layout_pending:
            self._apply_layout()
        started = time.perf_counter()
        self._follow_the_action()
        x_min, x_max = self.loss_plot.vb.viewRange()[0]
        width = max(self.loss_plot.vb.width(), 100)
        record = self.record
        for p in LABELS:
            for curve, (steps, y), name in (
                (self.loss_curves[p], record.curve(p), p),
                (self.grad_curves[p], record.curve(p, "grad_norm"), None),
                (self.loss_curves[f"{p}_ema"], record.curve(p, "ema_loss"), f"{p}_ema"),
                (self.acc_curves[p], record.tests(p), None),
                (self.acc_curves[f"{p}_ema"], record.tests(p, "ema_test_accuracy"), None),
            ):
                if name and self.smoothing > 1:
                    y = trailing_mean(y, self.smoothing)
                self._put(curve, *visible_peaks(steps, y, x_min, x_max, int(4 * width)))
                if name:
                    self._drawn_steps[name] = len(y)
            x, raw = record.curve(p) if self.smoothing > 1 else (np.empty(0), np.empty(0))
            self.raw_curves[p].setVisible(self.smoothing > 1)
            self._put(self.raw_curves[p], *visible_peaks(x, raw, x_min, x_max, int(4 * width)))
        # Settle the y ranges as the paint would, twice: the first pass moves the views,
        # which re-bounds their curves and would otherwise ask for a second paint.
        for plot in self._rows * 2:
            plot.vb.prepareForPaint()
        self._dirty = False  # also drops the request of a range change made just above
        self._timer.stop()
        self._last_draw = time.perf_counter()
        self.last_draw_seconds = self._last_draw - started

    def _put(self, curve, x, y):
        """Hand `curve` its points, unless it had none and still has none (EMA off, say): an
        empty curve given nothing again costs pyqtgraph as much as a short one."""
        if len(x) or self._points.get(curve, 1):
            curve.setData(x, y, skipFiniteCheck=True)  # curves end at their last finite step
            self._points[curve] = len(x)

    def _hover(self, position):
        if not self.loss_plot.sceneBoundingRect().contains(
            position
        ) and not self.grad_plot.sceneBoundingRect().contains(position):
            if self._reading:
                self._reading = False
                self.readout.emit("")  # off the plots: the run's own figures again
            return
        self._reading = True
        step = round(self.loss_plot.vb.mapSceneToView(position).x())
        parts = []
        for p in self._shown:
            xs, loss = self.record.curve(p)
            i = int(np.searchsorted(xs, step))
            if i < len(xs) and xs[i] == step:
                text = f"{LABELS[p]} loss {loss[i]:.6g}, grad {self.record.curve(p, 'grad_norm')[1][i]:.4g}"
                ema = self.record.curve(p, "ema_loss")[1]
                if len(ema) > i:
                    text += f", EMA loss {ema[i]:.6g}"
                parts.append(text)
        if parts:
            self.readout.emit(f"step {step:,}:  " + "   ".join(parts))


class _Busy(QWidget):
    """ "Compiling…" with a busy bar, over the top of the plot while a new structure compiles."""

    def __init__(self, plot):
        super().__init__(plot)
        self.label = QLabel(COMPILING, objectName="compilingLabel")
        self.bar = QProgressBar(textVisible=False)
        self.bar.setRange(0, 0)  # no figure: Qt animates it as busy
        self.bar.setFixedWidth(80)
        layout = QHBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self.setAutoFillBackground(True)
        self.hide()

    def apply_look(self, look):
        self.label.setStyleSheet(f"color: {look.foreground}; font-size: {look.pt(BASE_POINT_SIZE + 2)}pt;")
        self.setStyleSheet(f"background: {look.background};")
        self.place()

    def place(self):
        plot = self.parentWidget()
        self.adjustSize()
        self.move(max((plot.width() - self.width()) // 2, 0), plot.height() // 4)
