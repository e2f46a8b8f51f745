"""Loss, test-accuracy and gradient-norm curves of a RunRecord against step: redraws are
rate-limited, and only the points worth drawing are handed to pyqtgraph."""

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal

from app.gui.style import LABELS, PENS, WRONG
from app.gui.theme import Look, style_legend, style_plot_item
from app.model.series import trailing_mean, visible_peaks
from app.model.settings import pin_labels
from app.training.pitfall_notes import PITFALLS

REDRAW_MS = 16
REDRAW_SHARE = 0.25
"""Redraws may take at most this share of the GUI thread's time; long curves redraw less often."""
LEFT_AXIS_WIDTH = 96
LINEN_WIDTH = 6  # Linen is drawn wide under NNX, so the two stay visible where they coincide
MAX_PINS = 8
PIN_COLOURS = ("#999999", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#F0E442", "#000000", "#E69F00")
CURVES = ("linen", "nnx", "linen_ema", "nnx_ema")
CURVE_PENS = {
    "linen": pg.mkPen(PENS["linen"], width=LINEN_WIDTH),
    "nnx": pg.mkPen(PENS["nnx"], width=2.5),
    "linen_ema": pg.mkPen(PENS["linen_ema"], width=5, style=Qt.DashLine),
    "nnx_ema": pg.mkPen(PENS["nnx_ema"], width=2, style=Qt.DashLine),
}
"""One pen per curve, the same in the loss, test-accuracy and gradient-norm plots."""


class LossPlot(pg.GraphicsLayoutWidget):
    """Loss (top), test accuracy (digits only) and gradient norm (bottom), x linked, for Linen,
    NNX and their EMA weights."""

    readout = Signal(str)  # hover text: the step under the mouse and the values there

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = self.addPlot(row=0, col=0)
        self.acc_plot = self.addPlot(row=1, col=0)
        self.grad_plot = self.addPlot(row=2, col=0)
        self.acc_plot.setXLink(self.loss_plot)
        self.grad_plot.setXLink(self.loss_plot)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.ci.layout.setRowStretchFactor(2, 2)
        self._acc_shown = True
        self.legend = self.loss_plot.addLegend(offset=(-10, 10))
        self.grad_legend = self.grad_plot.addLegend(offset=(-10, 10))
        self.acc_legend = self.acc_plot.addLegend(offset=(-10, -10), colCount=2)
        self.grad_legend.setColumnCount(3)  # one row: the short plots keep their curves visible
        self.loss_curves = {c: self.loss_plot.plot(pen=CURVE_PENS[c]) for c in CURVES}
        self.acc_curves = {c: self.acc_plot.plot(pen=CURVE_PENS[c]) for c in CURVES}
        self.raw_curves = {}  # the unsmoothed loss, faded beneath the smoothed one
        for p in LABELS:
            faded = pg.mkColor(PENS[p])
            faded.setAlpha(70)
            self.raw_curves[p] = self.loss_plot.plot(pen=pg.mkPen(faded, width=2))
            self.raw_curves[p].setZValue(-5)
        self.smoothing = 1
        self.grad_curves = {p: self.grad_plot.plot(pen=CURVE_PENS[p]) for p in LABELS}
        clip_pen = pg.mkPen(PENS["clip"], width=2.5, style=Qt.DashLine)
        self.clip_line = pg.InfiniteLine(angle=0, pen=clip_pen)
        self.grad_plot.addItem(self.clip_line, ignoreBounds=True)
        self.diverged_line = None  # added at a divergence only: a labelled line costs every redraw
        self._clip_sample = pg.PlotDataItem(pen=clip_pen)  # the legend's picture of the line
        self._labels = {
            self.loss_plot: {"left": "loss"},
            self.acc_plot: {"left": "test acc."},
            self.grad_plot: {"left": "grad norm", "bottom": "step"},
        }
        for plot in self._labels:
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            plot.getAxis("left").enableAutoSIPrefix(False)
            # A fixed width: the plots do not shift (and re-layout) when tick labels change.
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            for side in ("left", "bottom"):
                # Major and one minor level of ticks: a grid readable from afar, and half the
                # paint time of pyqtgraph's three levels.
                plot.getAxis(side).setStyle(maxTickLevel=1)
        self.apply_look(Look())
        self.record = None  # the RunRecord drawn
        self._config = None
        self._shown = []
        self._layout_pending = False
        self._dirty = False
        self._last_draw = 0.0
        self._draw_seconds = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)
        self._drawn_steps = dict.fromkeys(CURVES, 0)
        self.loss_plot.sigXRangeChanged.connect(self._view_moved)
        self.scene().sigMouseMoved.connect(self._hover)
        self._show_accuracy(False)  # until a task that measures it runs
        self.pins = []  # (config, curve item), oldest first
        self.pin_labels = []

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
        self._last_draw = 0.0  # a new run's first chunk is drawn at once
        self._timer.stop()

    def curve_label(self, paradigm: str) -> str:
        """The legend's name for a paradigm's loss curve: a pitfall's says it carries the bug."""
        note = PITFALLS.get(self._config.pitfall)
        return note.curve if note and note.paradigm == paradigm and note.curve else LABELS[paradigm]

    def _apply_layout(self):
        """Legend entries, clipping line and x range for the current run."""
        config = self._config
        ema = config.ema_decay is not None
        entries = [(self.loss_curves[p], self.curve_label(p)) for p in self._shown]
        entries += [(ghost, label) for (_, ghost), label in zip(self.pins, self.pin_labels)]
        entries += [(self.loss_curves[f"{p}_ema"], f"{LABELS[p]} EMA weights") for p in self._shown if ema]
        grad_entries = [(self.grad_curves[p], self.curve_label(p)) for p in self._shown]
        if config.clip_norm is not None:
            grad_entries.append((self._clip_sample, f"clip at {config.clip_norm:g}"))
        acc_entries = [(self.acc_curves[p], LABELS[p]) for p in self._shown]
        acc_entries += [(self.acc_curves[f"{p}_ema"], f"{LABELS[p]} EMA weights") for p in self._shown if ema]
        self._show_accuracy(config.task == "digits")
        if config.task == "digits":  # its EMA weights are judged by test accuracy
            entries = [e for e in entries if not e[1].endswith("EMA weights")]
        self.legend.setColumnCount(1 if len(entries) <= 3 else 2)
        legends = ((self.legend, entries), (self.grad_legend, grad_entries), (self.acc_legend, acc_entries))
        for legend, wanted in legends:
            if [(item, label) for item, label in getattr(legend, "_wanted", [])] != wanted:
                legend.clear()
                for item, label in wanted:
                    legend.addItem(item, label)
                legend._wanted = wanted
        self.clip_line.setVisible(config.clip_norm is not None)
        if config.clip_norm is not None:
            self.clip_line.setValue(np.log10(config.clip_norm) if self.log_y else config.clip_norm)
        self.loss_plot.setXRange(0, max(config.steps - 1, 1), padding=0.02)
        self.loss_plot.enableAutoRange(axis="y")
        self.grad_plot.enableAutoRange(axis="y")
        self.acc_plot.enableAutoRange(axis="y")
        self._layout_pending = False

    def _show_accuracy(self, on: bool):
        """The test-accuracy plot takes the middle row only for tasks that measure it."""
        if on == self._acc_shown:
            return
        if on:
            self.ci.addItem(self.acc_plot, row=1, col=0)
        else:
            self.ci.removeItem(self.acc_plot)
        self.ci.layout.setRowStretchFactor(1, 2 if on else 0)
        self.acc_plot.setVisible(on)
        self._acc_shown = on

    def append(self, chunk):
        """The record has a new chunk: mark a divergence, and ask for a redraw."""
        if chunk.diverged_at and self.diverged_line is None:
            step = min(chunk.diverged_at.values())
            self.diverged_line = pg.InfiniteLine(
                step, angle=90, pen=pg.mkPen(WRONG, width=2, style=Qt.DashLine), label=f"diverged at step {step:,} ",
                labelOpts={"position": 0.85, "color": WRONG, "anchors": [(1, 0.5), (1, 0.5)]},
            )
            self.loss_plot.addItem(self.diverged_line, ignoreBounds=True)
        self._request_redraw()

    def apply_look(self, look: Look):
        """Background, axes, labels and legends in the theme, text at the zoom."""
        self.setBackground(look.background)
        for plot, labels in self._labels.items():
            style_plot_item(plot, look, labels)
            plot.getAxis("left").setWidth(round(LEFT_AXIS_WIDTH * look.zoom))
        for legend in (self.legend, self.grad_legend, self.acc_legend):
            style_legend(legend, look)

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
        colour.setAlpha(150)
        ghost = pg.PlotDataItem(x, y, pen=pg.mkPen(colour, width=3, style=Qt.DotLine))
        ghost.setZValue(-10)  # behind the live curves
        self.loss_plot.addItem(ghost)
        self.pins.append((config, ghost))
        self.label_pins(config)
        self._refresh()

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

    @property
    def pending(self) -> bool:
        """Data has arrived that the next timer tick will draw."""
        return self._dirty

    def curve_lengths(self) -> dict[str, int]:
        """Steps the loss curves on screen cover (what the tests and the benchmark look at)."""
        return dict(self._drawn_steps)

    def _view_moved(self):
        """Zoomed or panned: the visible steps change, so do the points worth drawing."""
        self._dirty = True
        self._timer.start(0)

    def _request_redraw(self):
        """Draw now if the last draw was long enough ago, else once the interval is over."""
        self._dirty = True
        if self._timer.isActive():
            return
        interval = max(REDRAW_MS / 1000, self._draw_seconds / REDRAW_SHARE)
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
        x_min, x_max = self.loss_plot.vb.viewRange()[0]
        width = max(self.loss_plot.vb.width(), 100)
        record = self.record
        for p in LABELS:
            # Curves end at their last finite step, so pyqtgraph's own scan is skipped.
            for curve, (steps, y), name in (
                (self.loss_curves[p], record.curve(p), p),
                (self.grad_curves[p], record.curve(p, "grad_norm"), None),
                (self.loss_curves[f"{p}_ema"], record.curve(p, "ema_loss"), f"{p}_ema"),
                (self.acc_curves[p], record.tests(p), None),
                (self.acc_curves[f"{p}_ema"], record.tests(p, "ema_test_accuracy"), None),
            ):
                if name and self.smoothing > 1:
                    y = trailing_mean(y, self.smoothing)
                curve.setData(*visible_peaks(steps, y, x_min, x_max, int(4 * width)), skipFiniteCheck=True)
                if name:
                    self._drawn_steps[name] = len(y)
            x, raw = record.curve(p) if self.smoothing > 1 else (np.empty(0), np.empty(0))
            self.raw_curves[p].setVisible(self.smoothing > 1)
            self.raw_curves[p].setData(*visible_peaks(x, raw, x_min, x_max, int(4 * width)), skipFiniteCheck=True)
        # Settle the y ranges as the paint would, twice: the first pass moves the views,
        # which re-bounds their curves and would otherwise ask for a second paint.
        for plot in (self.loss_plot, self.acc_plot, self.grad_plot) * 2:
            plot.vb.prepareForPaint()
        self._dirty = False  # also drops the request of a range change made just above
        self._timer.stop()
        self._last_draw = time.perf_counter()
        self._draw_seconds = self._last_draw - started

    def _hover(self, position):
        if not self.loss_plot.sceneBoundingRect().contains(position) and not self.grad_plot.sceneBoundingRect().contains(position):
            return
        step = int(round(self.loss_plot.vb.mapSceneToView(position).x()))
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
