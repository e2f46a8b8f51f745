"""The run controller: owns the training thread and its worker, numbers runs and sweeps, and
passes on only what belongs to the current one, in the GUI thread.

Lifecycle as superqt's `new_worker_qthread`: the worker is moved to a QThread that starts
with the window and is quit, and waited for, on shutdown: never dropped while it runs.

A run or a sweep is asked for through `worker.Requests`, which keeps the newest only, and a
signal wakes the worker to read it: whatever was asked while the worker was busy and then
replaced never starts. Every other request names the run it is about, so one that reaches the
worker after that run was replaced is ignored.
"""

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.gui.worker import Requests, RunRequest, SweepRequest, TrainingWorker, start_worker_thread
from app.model.run_record import RunRecord


class RunController(QObject):
    """Start, stop, pause, step and sweep; every signal it emits concerns the current run."""

    ready = Signal(str)  # the JAX backend
    compiling = Signal()  # the current run compiles first
    chunkArrived = Signal(object)  # a runner.Chunk of the current run, already in `record`
    finished = Signal(int)  # run id
    stopped = Signal()  # the worker dropped its run; every chunk it sent has arrived
    paused = Signal(bool)
    errored = Signal(str)
    raised = Signal(object)  # {paradigm: error} of a pitfall that fails at once
    inspected = Signal(object)  # the current run's last step from the inside (or why not)
    sweepProgressed = Signal(object, float, object)  # sweep.Sweep so far, share done, its RunConfig
    swept = Signal(object, object)  # the finished sweep.Sweep (or an error message), its RunConfig

    _start = Signal()  # wakes the worker: a new run is in `requests`
    _sweep = Signal()  # the same for a sweep
    _stop = Signal(int)  # run id
    _stop_run = Signal(int)
    _pause = Signal(int, bool)
    _rate = Signal(int, float)
    _step = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.requests = Requests()
        self.worker = TrainingWorker(self.requests)
        self.thread = None
        self.run_id = 0
        self.finished_run = 0
        self.record = None
        self.sweep_id = 0
        self.swept_config = None  # the settings of the sweep in progress, if any
        self._shut_down = False
        queued = Qt.QueuedConnection  # requests wait in the worker thread's queue, behind JAX's import
        for request, slot in (
            (self._start, self.worker.start),
            (self._stop, self.worker.stop),
            (self._stop_run, self.worker.stop_run),
            (self._pause, self.worker.set_paused),
            (self._rate, self.worker.set_rate),
            (self._step, self.worker.single_step),
            (self._sweep, self.worker.sweep),
        ):
            request.connect(slot, queued)
        self.worker.ready.connect(self.ready)
        self.worker.compiling.connect(self._on_worker_compiling)
        self.worker.chunkReady.connect(self._on_worker_chunk)
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.errored.connect(self._on_worker_errored)
        self.worker.stopped.connect(self._on_worker_stopped)
        self.worker.paused.connect(self._on_worker_paused)
        self.worker.raised.connect(self._on_worker_raised)
        self.worker.inspected.connect(self._on_worker_inspected)
        self.worker.sweepProgressed.connect(self._on_worker_sweep_progressed)
        self.worker.swept.connect(self._on_worker_swept)

    @property
    def running(self) -> bool:
        """The thread is up (it starts when the window is first shown)."""
        return self.thread is not None

    def start_thread(self) -> bool:
        """Start the training thread (it begins by importing JAX); False once shut down."""
        if self.thread is None and not self._shut_down:
            self.thread = start_worker_thread(self.worker)
        return self.thread is not None

    def start(self, config, steps_per_second: float) -> RunRecord:
        """Replace the run in flight (and any sweep) with a run of `config`; returns its record."""
        self.cancel_sweep()
        self.run_id += 1
        self.record = RunRecord(config)
        self.requests.ask_run(RunRequest(self.run_id, config, steps_per_second))
        self._start.emit()
        return self.record

    def stop(self):
        """Stop the run and any sweep; a run asked for and not yet started never starts."""
        self.cancel_sweep()
        self.requests.ask_run(None)
        self._stop.emit(self.run_id)

    def finish(self):
        """The current run is over for the window (a target was reached): stop it, keep any
        sweep going, and say it finished."""
        self._stop_run.emit(self.run_id)
        self.finished_run = self.run_id
        self.finished.emit(self.run_id)

    def pause(self, paused: bool):
        self._pause.emit(self.run_id, paused)

    def step(self):
        self._step.emit(self.run_id)

    def set_rate(self, steps_per_second: float):
        self._rate.emit(self.run_id, steps_per_second)

    def sweep(self, config) -> bool:
        """Sweep the learning rate for `config`, piece by piece beside the run."""
        if not self.running:
            return False
        self.sweep_id += 1
        self.swept_config = config
        self.requests.ask_sweep(SweepRequest(self.sweep_id, config))
        self._sweep.emit()
        return True

    def cancel_sweep(self) -> bool:
        """Forget the sweep in progress (the worker drops it with the run); True if there was one."""
        if self.swept_config is None:
            return False
        self.sweep_id += 1
        self.swept_config = None
        self.requests.ask_sweep(None)
        return True

    def shutdown(self):
        """Stop the run, the sweep and the thread, and wait for the thread to end.

        A run or a sweep stops within one chunk or piece (~50 ms); a compile in flight cannot be
        interrupted, so the wait lasts until it ends.
        """
        self._shut_down = True
        if self.thread is not None:
            self.requests.ask_run(None)
            self.requests.ask_sweep(None)
            self._stop.emit(self.run_id)
            self.thread.quit()
            self.thread.wait()
            self.thread = None

    @Slot(int)
    def _on_worker_compiling(self, run_id):
        if run_id == self.run_id:
            self.compiling.emit()

    @Slot(int, object)
    def _on_worker_chunk(self, run_id, chunk):
        if run_id == self.run_id:  # a chunk of a run that was replaced is never shown
            self.record.append(chunk)
            self.chunkArrived.emit(chunk)

    @Slot(int)
    def _on_worker_finished(self, run_id):
        if run_id == self.run_id:
            self.finished_run = run_id
            self.finished.emit(run_id)

    @Slot(int, str)
    def _on_worker_errored(self, run_id, message):
        if run_id == self.run_id:
            self.errored.emit(message)

    @Slot()
    def _on_worker_stopped(self):
        self.stopped.emit()

    @Slot(bool)
    def _on_worker_paused(self, paused):
        self.paused.emit(paused)

    @Slot(int, object)
    def _on_worker_raised(self, run_id, errors):
        if run_id == self.run_id:
            self.record.errors.update(errors)
            self.raised.emit(errors)

    @Slot(int, object)
    def _on_worker_inspected(self, run_id, inspection):
        if run_id == self.run_id:
            self.inspected.emit(inspection)

    @Slot(int, object, float)
    def _on_worker_sweep_progressed(self, sweep_id, result, done):
        if sweep_id == self.sweep_id:
            self.sweepProgressed.emit(result, done, self.swept_config)

    @Slot(int, object)
    def _on_worker_swept(self, sweep_id, result):
        if sweep_id == self.sweep_id:
            config, self.swept_config = self.swept_config, None
            self.swept.emit(result, config)
