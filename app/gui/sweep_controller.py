"""The learning-rate sweep in the window: asks the run controller for it and keeps the model's
`sweep` up to date as it fills in, finishes, fails or is cancelled. A click on a point of it
runs that learning rate (and, with Shift, pins that run once it finishes)."""

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from app.model.app_model import SweepState
from app.model.settings import FIELDS

NEW_RUN = "Stopped: a new run started. Press W (Sweep learning rate) to sweep its settings."
STOPPED = "Stopped. The points so far stay; press Sweep to run it again."


class SweepController(QObject):
    shown = Signal()  # a sweep finished (or failed) and is in the model

    def __init__(self, model, runs, parent=None):
        super().__init__(parent)
        self.model, self.runs = model, runs
        self._pin_run = None  # the run to pin once it finishes (a Shift-clicked point)
        runs.sweepProgressed.connect(self._on_runs_progressed)
        runs.swept.connect(self._on_runs_swept)
        runs.sweepFailed.connect(self._on_runs_failed)
        runs.finished.connect(self._on_runs_finished)
        model.events.run.connect(self._on_model_run)

    def start(self):
        """Sweep the learning rate for the run shown, in the worker, beside the run."""
        record = self.model.record
        if record is not None and self.runs.sweep(record.config):
            self.model.set_sweep(SweepState(record.config))
            self.model.show_panel("sweep")

    def cancelled(self, why: str):
        """The sweep in progress, if any, is dropped: say why, keep its points."""
        if self.runs.cancel_sweep() and self.model.sweep is not None:
            self.model.set_sweep(replace(self.model.sweep, note=why, running=False))

    def pick(self, lr: float, pin: bool):
        """Run at `lr` (a sweep point clicked); with `pin`, pin that run once it finishes."""
        before = self.runs.run_id
        self.model.edit(lr=round(lr, FIELDS["lr"].decimals))  # what the box keeps is what runs
        self._pin_run = None
        if not pin:
            return
        if self.runs.run_id != before:
            self._pin_run = self.runs.run_id
        elif self.runs.finished_run == self.runs.run_id:
            self.model.pin()  # the rate of the run shown: pin it now

    def _on_model_run(self, _record):
        self.cancelled(NEW_RUN)

    def _on_runs_progressed(self, result, done):
        self.model.set_sweep(replace(self.model.sweep, result=result, done=done))

    def _on_runs_swept(self, result):
        self.model.set_sweep(replace(self.model.sweep, result=result, done=1.0, running=False))
        self.shown.emit()

    def _on_runs_failed(self, message):
        self.model.set_sweep(replace(self.model.sweep, note=f"The sweep failed: {message}", running=False))
        self.shown.emit()

    def _on_runs_finished(self, run_id):
        if run_id == self._pin_run:
            self._pin_run = None
            self.model.pin()
