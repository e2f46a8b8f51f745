"""The training worker: lives in the engine's process (`engine_child`), or in a QThread of the
window's, and advances the run one chunk per event-loop turn.

Between two chunks the worker's event loop runs, so a new run, Stop, Pause, Step or quit is
acted on within one chunk (about one frame). The newest settings win: a run or a sweep is asked
for through `run_requests.Requests`, which keeps only the newest of each, so requests
superseded while the worker was busy (compiling, say) are dropped before they compile. A
learning-rate sweep advances by pieces of about 50 ms in the same turns, beside the run, and is
dropped by Stop, a new run or quit. JAX is imported here, where the worker lives. When nothing
runs, the step inspector of the current settings and the structures one toggle away compile on
a thread of their own (`compile_ahead`); while a run animates slowly, its step inspector.
"""

import time
import traceback

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from app.gui.run_requests import Requests

ANIMATE_TICK_MS = 16
SLOW_RATE = 10
"""Steps per second slow enough to read one by one: while a run animates this slowly, its step
inspector compiles ahead (the run leaves the processor nearly idle)."""


class WorkerSignals(QObject):
    """What the training engine says, wherever it runs: the worker itself in a thread, or the
    window's end of an engine in a process of its own (`engine_process.EngineProcess`)."""

    ready = Signal(str)  # the JAX backend, once JAX is loaded
    compiling = Signal(int)  # run id whose first chunk compiles first
    chunkReady = Signal(int, object)  # run id, runner.Chunk
    finished = Signal(int)
    errored = Signal(int, str)
    stopped = Signal()  # the run is dropped; every chunk it sent was sent before this
    paused = Signal(bool)
    sweepProgressed = Signal(int, object, float)  # sweep id, sweep.Sweep so far, share done
    swept = Signal(int, object)  # sweep id, the finished sweep.Sweep (numpy)
    sweepFailed = Signal(int, str)  # sweep id, what went wrong
    raised = Signal(int, object)  # run id, {paradigm: error} of a pitfall that fails at once
    inspected = Signal(int, object)  # run id, the last step's step_inspector.Inspection
    inspectFailed = Signal(int, str)  # run id, what went wrong


SIGNALS = tuple(name for name, value in vars(WorkerSignals).items() if isinstance(value, Signal))
"""The names of what the engine says."""


class TrainingWorker(WorkerSignals):
    """Runs `RunConfig`s; emits plain numpy chunks tagged with their run id."""

    def __init__(self, requests: Requests):
        super().__init__()
        self.requests = requests
        self._runner = None
        self._run = None
        self._config = None  # the last run's settings: what compiling ahead starts from
        self._ahead = None
        self._run_id = 0
        self._paused = False
        self._rate = 0.0  # steps per second when animating; 0 runs flat out
        self._animated_steps = 0
        self._animation_start = 0.0
        self._timer = None
        self._sweep = None  # (sweep id, sweep.SweepRun) in progress
        self._sweep_id = 0  # the last sweep started

    @Slot()
    def load(self):
        """Import JAX and the runner (about a second, once), then say which backend computes.
        Compiled steps are kept between launches (see `compile_cache`)."""
        import jax

        from app.training import compile_cache

        compile_cache.enable()  # before anything compiles: JAX sets its cache up at the first compile
        from app.training.lean_imports import without_ipython

        with without_ipython():
            from app.training import runner
        from app.training.compile_ahead import CompileAhead

        self._runner = runner
        self._ahead = CompileAhead()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.ready.emit(jax.default_backend())

    @Slot()
    def start(self):
        """Start the newest run asked for (unless it runs already), replacing whatever runs:
        runs asked for before it are never started, nor compiled."""
        request = self.requests.run
        if request is None or request.run_id <= self._run_id:
            return
        self._ahead.hold()  # before this run's own compile: nothing new compiles beside it
        self._run_id = request.run_id
        self._run = None
        self._config = request.config
        self._rate = request.rate
        self._paused = False  # a new run starts running
        self._drop_unwanted_sweep()  # one of the old settings, say
        try:
            if self._runner.needs_compile(request.config):
                self.compiling.emit(request.run_id)
            run = self._runner.Run(request.config, stop_at=request.stop_at)
        except Exception as error:  # any failure becomes a message, never a crash
            self._fail(error)
            return
        self._run = run
        if run.errors:
            self.raised.emit(request.run_id, dict(run.errors))
        if run.finished:
            self.finished.emit(request.run_id)
        self._restart_clock()
        self._schedule()

    @Slot()
    def sweep(self):
        """Start the sweep asked for, unless it runs already; it advances piece by piece
        beside the run."""
        request = self.requests.sweep
        if request is None or request.sweep_id <= self._sweep_id:
            return  # none is wanted, or this one was started already (it may have failed)
        self._sweep_id = request.sweep_id
        self._sweep = None  # a new sweep replaces any other, even if it cannot start
        self._ahead.hold()
        try:
            from app.training.sweep import SweepRun

            self._sweep = (request.sweep_id, SweepRun(request.config))
        except Exception as error:  # any failure becomes a message, never a crash
            self.sweepFailed.emit(request.sweep_id, f"{type(error).__name__}: {error}")
        self._schedule()

    def _drop_unwanted_sweep(self):
        wanted = self.requests.sweep
        if self._sweep is not None and (wanted is None or wanted.sweep_id != self._sweep[0]):
            self._sweep = None

    def _advance_sweep(self):
        sweep_id, run = self._sweep
        try:
            result = run.advance()
        except Exception as error:  # any failure becomes a message, never a crash
            self._sweep = None
            self.sweepFailed.emit(sweep_id, f"{type(error).__name__}: {error}")
            return
        if run.finished:
            self._sweep = None
            self.swept.emit(sweep_id, result)
        else:
            self.sweepProgressed.emit(sweep_id, result, run.progress)

    def _current(self, run_id: int) -> bool:
        """A request about run `run_id` still concerns the run the worker is on (not an older
        one, replaced while the request waited)."""
        return run_id >= self._run_id

    @Slot(int)
    def stop(self, run_id):
        """Drop the run and the sweep."""
        if self._current(run_id):
            self.halt()
            self._schedule()
            self.stopped.emit()

    @Slot()
    def end(self):
        """The thread ends: drop everything, and wait for a compile ahead in flight."""
        self.halt()
        if self._ahead:
            self._ahead.close()

    @Slot()
    def halt(self):
        """Drop the run, the sweep and the timer (in this thread: Qt timers stop only where they live)."""
        self._run = None
        self._sweep = None
        if self._timer:
            self._timer.stop()

    @Slot(int, bool)
    def set_paused(self, run_id, paused):
        if not self._current(run_id):
            return
        self._paused = paused
        self._restart_clock()
        self._schedule()
        self.paused.emit(paused)
        if paused:
            self._inspect()

    @Slot(int, object)
    def set_stop_at(self, run_id, stop_at):
        """A new target for the run: it ends by itself once its loss reaches it (None: never)."""
        if self._current(run_id) and self._run is not None:
            self._run.stop_at = stop_at

    @Slot(int, float)
    def set_rate(self, run_id, rate):
        if not self._current(run_id):
            return
        self._rate = rate
        self._restart_clock()
        self._schedule()

    @Slot(int)
    def single_step(self, run_id):
        """One step, then hold (pauses a running run)."""
        if not self._current(run_id):
            return
        self._paused = True
        self.paused.emit(True)
        self._advance(1)
        self._inspect()

    def _inspect(self):
        """Say what the last step did, from the inside (once a step was taken)."""
        if self._run is None:
            return
        try:
            inspection = self._run.inspect_last()
        except Exception as error:  # a failure becomes a message, never a crash
            self.inspectFailed.emit(self._run_id, f"{type(error).__name__}: {error}")
            return
        if inspection is not None:
            self.inspected.emit(self._run_id, inspection)

    def _restart_clock(self):
        self._animated_steps = 0
        self._animation_start = time.perf_counter()

    def _running(self) -> bool:
        return self._run is not None and not self._paused and not self._run.finished

    def _schedule(self):
        if self._timer is None:
            return
        if not self._running() and self._sweep is None:
            self._timer.stop()
            if self._config is not None:
                self._ahead.around(self._config)  # idle: what the next toggle needs may compile
            return
        if 0 < self._rate <= SLOW_RATE and self._sweep is None:
            self._ahead.around(self._config, toggles=False)  # steps read one by one: their inspector may compile
        else:
            self._ahead.hold()
        self._timer.start(ANIMATE_TICK_MS if self._rate > 0 and self._sweep is None else 0)

    @Slot()
    def _tick(self):
        newest = self.requests.run
        if newest is not None and newest.run_id > self._run_id:
            self.start()  # asked for while this one ran: it replaces it now
        self._drop_unwanted_sweep()
        if self._sweep is not None:
            self._advance_sweep()
        if self._running():
            if self._rate <= 0:
                self._advance(None)
            elif due := int(self._rate * (time.perf_counter() - self._animation_start)) - self._animated_steps:
                self._animated_steps += due
                self._advance(due)
        self._schedule()

    def _advance(self, max_steps):
        run = self._run
        if run is None or run.finished:
            return
        try:
            chunk = run.advance(max_steps)
        except Exception as error:  # any failure becomes a message, never a crash
            self._fail(error)
            return
        self.chunkReady.emit(self._run_id, chunk)
        if run.finished:
            self.finished.emit(self._run_id)

    def _fail(self, error):
        self._run = None  # the run failed; a sweep in progress goes on
        self._schedule()
        last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
        where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        self.errored.emit(self._run_id, f"{type(error).__name__}: {error}{where}")


def start_worker_thread(worker: TrainingWorker) -> QThread:
    """Move the worker to a new thread and start it; it begins by importing JAX."""
    thread = QThread()
    thread.setObjectName("training")
    worker.moveToThread(thread)
    thread.started.connect(worker.load)
    # Emitted in the worker's thread as it ends: a run still in flight stops there.
    thread.finished.connect(worker.end, Qt.DirectConnection)
    thread.finished.connect(worker.deleteLater)
    thread.start()
    return thread
