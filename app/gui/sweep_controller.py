"""The learning-rate sweep in the window: asks the run controller for it, and shows it filling
in, finished, failed or cancelled in the sweep view, a tab beside the plots (built on first
use: start-up stays short)."""

from PySide6.QtCore import QObject, Signal


class SweepController(QObject):
    shown = Signal()  # a sweep finished (or failed) and is drawn
    lrPicked = Signal(float, bool)  # a sweep point was clicked: its learning rate, and whether to pin

    def __init__(self, runs, window):
        super().__init__(window)  # no Python reference to the window: Qt's parent link is enough
        self.runs = runs
        self.look = None
        self._view = None
        runs.sweepProgressed.connect(self._on_runs_sweep_progressed)
        runs.swept.connect(self._on_runs_swept)

    @property
    def view(self):
        if self._view is None:
            from app.gui.sweep_view import SweepView

            self._view = SweepView()
            self.parent().side_tabs.addTab(self._view, "LR sweep")
            self._view.lrPicked.connect(self.lrPicked)
            if self.look is not None:
                self._view.apply_look(self.look)
        return self._view

    def start(self, config):
        """Sweep the learning rate for `config`, in the worker, beside the run."""
        if self.runs.sweep(config):
            self.view.start(config)
            self.parent().side_tabs.setCurrentWidget(self.view)

    def cancelled(self, why: str):
        """The run controller dropped the sweep in progress, if any: say why, keep its points."""
        if self.runs.cancel_sweep():
            self.view.cancelled(why)

    def show_lr(self, lr: float):
        if self._view is not None:
            self._view.set_lr(lr)

    def apply_look(self, look):
        self.look = look
        if self._view is not None:
            self._view.apply_look(look)

    def _on_runs_sweep_progressed(self, result, done, config):
        self.view.show_sweep(result, config, done)

    def _on_runs_swept(self, result, config):
        if isinstance(result, str):
            self.view.failed(result)
        else:
            self.view.show_sweep(result, config, 1.0)  # a new setting cancels it: config's lr is current
        self.shown.emit()
