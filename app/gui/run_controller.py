"""The run controller: owns the training engine, starts a run whenever the model's run settings
change, and writes what the worker sends back into the model.

The engine runs in a process of its own (`engine_process`), or in a QThread of the window's
process, with superqt's `new_worker_qthread` lifecycle; either starts with the window and is
quit, and waited for, on shutdown: never dropped while it runs.

A run or a sweep is asked for through `run_requests.Requests`, which keeps the newest only, and
a signal wakes the worker to read it: whatever was asked while the worker was busy and then
replaced never starts. Every other request names the run it is about, so one that reaches the
worker after that run was replaced is ignored. What the worker sends back is passed on only if
it belongs to the run (or sweep) shown, in the GUI thread.
"""

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app import engine_launch
from app.gui.engine_process import EngineProcess, start_engine_process
from app.gui.run_requests import Requests, RunRequest, SweepRequest
from app.gui.worker import TrainingWorker, start_worker_thread
from app.model import notices
from app.model.app_model import AppModel
from app.model.run_record import RunRecord


class RunController(QObject):
    """Runs what the model's settings say, and puts what comes back into the model."""

    finished = Signal(int)  # run id: the run shown finished, and every chunk of it is in the model
    stopped = Signal()  # the worker dropped its run; every chunk it sent is in the model
    sweepProgressed = Signal(object, float)  # sweep.Sweep so far, share done
    swept = Signal(object)  # the finished sweep.Sweep
    sweepFailed = Signal(str)

    _start = Signal()  # wakes the worker: a new run is in `requests`
    _sweep = Signal()  # the same for a sweep
    _stop = Signal(int)  # run id
    _pause = Signal(int, bool)
    _rate = Signal(int, float)
    _stop_at = Signal(int, object)
    _step = Signal(int)

    def __init__(self, model: AppModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.requests = Requests()
        if engine_launch.in_process_of_its_own():
            self.worker, self._start_engine = EngineProcess(self.requests), start_engine_process
        else:
            self.worker, self._start_engine = TrainingWorker(self.requests), start_worker_thread
        self.thread = None  # what the engine runs in, once started: a QThread, or its process
        self.run_id = 0
        self.finished_run = 0
        self.sweep_id = 0
        self.sweeping = False
        self._shut_down = False
        queued = Qt.QueuedConnection  # requests wait in the engine's queue, behind JAX's import
        for request, slot in (
            (self._start, self.worker.start),
            (self._sweep, self.worker.sweep),
            (self._stop, self.worker.stop),
            (self._pause, self.worker.set_paused),
            (self._rate, self.worker.set_rate),
            (self._stop_at, self.worker.set_stop_at),
            (self._step, self.worker.single_step),
        ):
            request.connect(slot, queued)
        worker = self.worker
        worker.ready.connect(self._on_worker_ready)
        worker.compiling.connect(self._on_worker_compiling)
        worker.chunkReady.connect(self._on_worker_chunk)
        worker.finished.connect(self._on_worker_finished)
        worker.errored.connect(self._on_worker_errored)
        worker.stopped.connect(self._on_worker_stopped)
        worker.paused.connect(self._on_worker_paused)
        worker.raised.connect(self._on_worker_raised)
        worker.inspected.connect(self._on_worker_inspected)
        worker.inspectFailed.connect(self._on_worker_inspect_failed)
        worker.sweepProgressed.connect(self._on_worker_sweep_progressed)
        worker.swept.connect(self._on_worker_swept)
        worker.sweepFailed.connect(self._on_worker_sweep_failed)
        # Before any view: the worker starts on a new setting while the views catch up.
        model.events.settings.connect(self._on_model_settings, priority=1)

    @property
    def running(self) -> bool:
        """The engine is up (it starts when the window is first shown)."""
        return self.thread is not None

    def start_thread(self, start=None) -> bool:
        """Start the training engine (`start(worker)`: it begins by importing JAX, unless it has
        in a process started early) and the first run, once; False once shut down."""
        if self.thread is None and not self._shut_down:
            self.thread = (start or self._start_engine)(self.worker)
            self.rerun()
        return self.thread is not None

    def _on_model_settings(self, new, old):
        if new.run != old.run or new.pace != old.pace:  # Animate plays the run from its start
            self.rerun()
            return
        if new.steps_per_second != old.steps_per_second:
            self._rate.emit(self.run_id, new.steps_per_second)
        if new.stop_at != old.stop_at:
            self._stop_at.emit(self.run_id, new.stop_at)

    def rerun(self):
        """Start the model's settings from step 0, replacing the run in flight (a sweep of the
        run before is the sweep controller's to cancel); settings that cannot run are refused,
        in the banner."""
        if not self.running:
            return  # the first run starts with the thread, once the window is shown
        settings = self.model.settings
        if settings.run.problem:  # nothing runs under a banner that says nothing can
            self.stop()
            self.model.set_notice(notices.cannot_run(settings.run.problem))
            return
        self.run_id += 1
        self.requests.ask_run(RunRequest(self.run_id, settings.run, settings.steps_per_second, settings.stop_at))
        self._start.emit()
        self.model.start_run(RunRecord(settings.run))

    def stop(self):
        """Stop the run and any sweep; a run asked for and not yet started never starts."""
        self.cancel_sweep()
        self.requests.ask_run(None)
        self._stop.emit(self.run_id)

    def pause(self, paused: bool):
        self._pause.emit(self.run_id, paused)

    def step(self):
        self._step.emit(self.run_id)

    def sweep(self, config) -> int:
        """Sweep the learning rate for `config`, piece by piece beside the run; its id (0: the
        thread is not up)."""
        if not self.running:
            return 0
        self.sweep_id += 1
        self.sweeping = True
        self.requests.ask_sweep(SweepRequest(self.sweep_id, config))
        self._sweep.emit()
        return self.sweep_id

    def cancel_sweep(self) -> bool:
        """Forget the sweep in progress (the worker drops it); True if there was one."""
        if not self.sweeping:
            return False
        self.sweep_id += 1
        self.sweeping = False
        self.requests.ask_sweep(None)
        return True

    def shutdown(self):
        """Stop the run, the sweep and the engine, and wait for the engine to end.

        A run or a sweep stops within one chunk or piece (~50 ms); a compile in flight cannot be
        interrupted, so the wait lasts until it ends (in its own process, at most
        `engine_process.END_SECONDS`, then it is killed).
        """
        self._shut_down = True
        if self.thread is not None:
            self.requests.ask_run(None)
            self.requests.ask_sweep(None)
            self._stop.emit(self.run_id)
            self.thread.quit()
            self.thread.wait()
            self.thread = None

    def _current(self, run_id: int) -> bool:
        return run_id == self.run_id

    @Slot(str)
    def _on_worker_ready(self, backend):
        self.model.set_backend(backend)

    @Slot(int)
    def _on_worker_compiling(self, run_id):
        if self._current(run_id):
            self.model.set_status("compiling")

    @Slot(int, object)
    def _on_worker_chunk(self, run_id, chunk):
        if not self._current(run_id):
            return  # a chunk of a run that was replaced is never shown
        if self.model.status == "compiling":
            self.model.set_status("running")
        self.model.add_chunk(chunk)
        if chunk.diverged_at:
            self.model.set_notice(notices.diverged(self.model.record.config, chunk.diverged_at))

    @Slot(int)
    def _on_worker_finished(self, run_id):
        if self._current(run_id):
            self.finished_run = run_id
            record = self.model.record
            if record.reached:
                self.model.set_notice(notices.reached(self.model.settings.stop_at, record.reached))
            self.model.set_status("finished")
            self.finished.emit(run_id)

    @Slot(int, str)
    def _on_worker_errored(self, run_id, message):
        if self._current(run_id):
            self.model.set_notice(notices.failed(message))
            self.model.set_status("failed")

    @Slot()
    def _on_worker_stopped(self):
        if self.model.status not in ("finished", "failed"):
            self.model.set_status("stopped")
        self.stopped.emit()

    @Slot(bool)
    def _on_worker_paused(self, paused):
        if self.model.status in ("running", "paused"):
            self.model.set_status("paused" if paused else "running")

    @Slot(int, object)
    def _on_worker_raised(self, run_id, errors):
        if self._current(run_id):
            self.model.add_errors(errors)

    @Slot(int, object)
    def _on_worker_inspected(self, run_id, inspection):
        if self._current(run_id):
            self.model.set_inspection(inspection)

    @Slot(int, str)
    def _on_worker_inspect_failed(self, run_id, message):
        if self._current(run_id):
            self.model.say("error", f"The step could not be inspected: {message}.")

    @Slot(int, object, float)
    def _on_worker_sweep_progressed(self, sweep_id, result, done):
        if sweep_id == self.sweep_id:
            self.sweepProgressed.emit(result, done)

    @Slot(int, object)
    def _on_worker_swept(self, sweep_id, result):
        if sweep_id == self.sweep_id:
            self.sweeping = False
            self.swept.emit(result)

    @Slot(int, str)
    def _on_worker_sweep_failed(self, sweep_id, message):
        if sweep_id == self.sweep_id:
            self.sweeping = False
            self.sweepFailed.emit(message)
