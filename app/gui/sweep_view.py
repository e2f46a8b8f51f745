"""The learning-rate sweep, a tab of the window: final loss against learning rate, log-log, with
the stability edge. Clicking a point runs its learning rate (with Shift or Ctrl, and pins it)."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from app.gui.axes import readable_axes
from app.gui.style import LABELS, PENS, WRONG
from app.gui.theme import Look, style_legend, style_plot_item
from app.model.stability import past_the_edge


class SweepView(QWidget):
    """Draws the model's sweep and marks its learning rate; `lrPicked` says a point was clicked."""

    lrPicked = Signal(float, bool)  # the point's learning rate; whether to pin its run

    def __init__(self, model, parent=None):
        super().__init__(parent, objectName="sweepView")
        self.model = model
        self.plot = pg.PlotWidget(axisItems=readable_axes())
        self.plot.setLogMode(x=True, y=True)
        self.plot.setMenuEnabled(False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(10, 10))
        self.curve = self.plot.plot(
            pen=pg.mkPen(PENS["nnx"], width=3),
            symbol="o",
            symbolSize=8,
            symbolBrush=PENS["nnx"],
            symbolPen=None,
            name="final loss",
        )
        self.diverged = self.plot.plot(
            pen=None,
            symbol="x",
            symbolSize=14,
            symbolBrush=WRONG,
            symbolPen=pg.mkPen(WRONG, width=2),
            name="diverged (inf/NaN)",
        )
        self.current = pg.InfiniteLine(angle=90, pen=pg.mkPen("#333333", width=2))  # the theme's colour in apply_look
        self.edge = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(WRONG, width=3, style=Qt.DashLine),
            label="",
            labelOpts={"position": 0.9, "color": WRONG, "fill": "#FFFFFFCC"},
        )
        self.plot.addItem(self.current, ignoreBounds=True)
        self.plot.addItem(self.edge, ignoreBounds=True)
        for points in (self.curve, self.diverged):
            points.sigPointsClicked.connect(self._clicked)
        self._clickable = {self.curve: np.empty(0), self.diverged: np.empty(0)}  # the lr of each point shown
        self.note = QLabel(wordWrap=True, objectName="sweepNote")
        self.note.setMinimumWidth(1)
        self.progress = QProgressBar(objectName="sweepProgress", textVisible=True)
        self.progress.setRange(0, 1000)
        self.progress.setFormat("%p% of the sweep's steps")
        layout = QVBoxLayout(self)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.note)
        self.sweep = None
        self.look = Look()
        self.apply_look(self.look)
        self._on_model_sweep(model.sweep)
        model.events.sweep.connect(self._on_model_sweep)
        model.events.settings.connect(self._on_model_settings)

    def _on_model_settings(self, new, _old):
        self.set_lr(new.run.lr)

    def _on_model_sweep(self, state):
        """A sweep starting, filling in, finished, failed or cancelled (None: none yet)."""
        if state is None:
            return
        if state.result is None and state.running:
            self.start(state.config)
        elif state.result is not None:
            self.show_sweep(state.result, state.config, state.done)
        self.progress.setVisible(state.running and state.done < 1.0)
        if state.note:
            self.note.setText(state.note)

    def apply_look(self, look: Look):
        self.look = look
        self.plot.setBackground(look.background)
        self.current.setPen(pg.mkPen(look.foreground, width=2 * look.zoom))
        self.curve.setPen(pg.mkPen(PENS["nnx"], width=3 * look.zoom))
        self.curve.setSymbolSize(8 * look.zoom + 2)
        style_plot_item(self.plot.getPlotItem(), look, {"bottom": "learning rate", "left": "final loss"}, grid=True)
        style_legend(self.legend, look)

    def start(self, config):
        """A new sweep of `config`: nothing drawn yet, the bar at zero."""
        self.sweep = None
        self.curve.setData([], [])
        self.diverged.setData([], [])
        self.progress.setValue(0)
        self.progress.show()
        self.plot.setTitle(
            f"{config.optimizer}, {config.steps:,} steps, seed {config.seed}", size=f"{self.look.pt()}pt"
        )
        self.note.setText(
            "Running the learning rates in groups; each group's points appear as it finishes. "
            "Stop or any new setting cancels it."
        )

    def show_sweep(self, sweep, config, done: float = 1.0):
        """Draw a sweep of `config` (lrs, final_loss, edge, paradigm, and how many rates are done);
        `done` is the share of its steps run so far."""
        self.sweep = sweep
        self.progress.setValue(round(done * 1000))
        self.progress.setVisible(done < 1.0)
        lrs, loss = (
            np.asarray(sweep.lrs[: sweep.done], np.float64),
            np.asarray(sweep.final_loss[: sweep.done], np.float64),
        )
        finite = np.isfinite(loss) & (loss > 0)
        self.curve.setData(lrs[finite], loss[finite])
        top = loss[finite].max() * 3 if finite.any() else 1.0
        self.diverged.setData(lrs[~np.isfinite(loss)], np.full((~np.isfinite(loss)).sum(), top))
        self._clickable = {self.curve: lrs[finite], self.diverged: lrs[~np.isfinite(loss)]}
        self.edge.setVisible(sweep.edge is not None)
        if sweep.edge is not None:
            self.edge.setValue(np.log10(sweep.edge))
            rule = "2(1+β)/λmax" if config.optimizer == "momentum" else "2/λmax"
            self.edge.label.setFormat(f"stability edge {rule} = {sweep.edge:.3g}")
        self.set_lr(config.lr)
        self.plot.setTitle(
            f"{LABELS[sweep.paradigm]}, {config.optimizer}, {config.steps:,} steps, seed {config.seed}: "
            f"{len(sweep.lrs)} runs, vectorised",
            size=f"{self.look.pt()}pt",
        )
        if sweep.edge is not None:
            edge_note = (
                "Past the dashed line, each step overshoots along the loss's steepest direction by more "
                f"than it corrects: the run {past_the_edge(config.clip_norm is not None, config.optimizer)}."
            )
        elif config.task != "line":
            edge_note = "The stability edge is computed for the line fit only."
        else:
            edge_note = "No edge is drawn: Adam rescales every step, so it has no 2/λmax edge at these rates."
        running = "" if done >= 1.0 else f"{sweep.done} of {len(sweep.lrs)} learning rates done. "
        self.note.setText(
            f"{running}The solid vertical line is the current learning rate; click a point to run its rate "
            f"(Shift-click also pins that run). {edge_note}"
        )

    def _clicked(self, item, points, event):
        """Run the clicked point's learning rate; Shift or Ctrl also pins that run."""
        lr = float(self._clickable[item][points[0].index()])
        self.lrPicked.emit(lr, bool(event.modifiers() & (Qt.ShiftModifier | Qt.ControlModifier)))

    def set_lr(self, lr: float):
        self.current.setValue(np.log10(lr))
