"""The window's end of the training engine in a process of its own (`engine_child`): the same
slots and signals as `worker.TrainingWorker`, so the run controller drives either alike.

The run and sweep wanted are copied to the engine whenever they change (`Requests.changed`),
before the call that wakes it; a call names the run it is about, as in a thread. A reader
thread reads the engine's answers and hands each to the GUI thread by a queued signal, where
it is emitted under the worker's own name. An engine that ends by itself (it crashed, or was
killed) fails the run shown, with a message; the next run starts a new one.
"""

import pickle
import subprocess
import threading

from PySide6.QtCore import Signal, Slot

from app import engine_launch
from app.gui.run_requests import Requests
from app.gui.worker import SIGNALS, WorkerSignals

END_SECONDS = 30.0
"""How long the window waits for the engine to end by itself (a compile in flight ends first,
and its program is written whole to the compile cache) before it is killed."""


class EngineProcess(WorkerSignals):
    _heard = Signal(str, object)  # emitted in the reader thread: a signal's name, its arguments

    def __init__(self, requests: Requests):
        super().__init__()
        self.requests = requests
        self._child = None
        self._reader = None
        self._ending = False
        self._runs_over = 0  # the newest run that finished or failed
        self._sweeps_over = 0  # the newest sweep that finished or failed
        self._lost_with = (0, 0)  # the run and sweep an engine that died had: no new engine starts them
        self._heard.connect(self._on_heard)  # queued: this object lives in the GUI thread
        requests.changed.connect(self._send_requests)

    @property
    def pid(self) -> int | None:
        """The engine's process id, while one runs."""
        return None if self._child is None else self._child.pid

    def launch(self) -> None:
        """Adopt the engine started early, or start one, and listen to it."""
        self._child = engine_launch.adopt()
        self._reader = threading.Thread(target=self._read, args=(self._child,), daemon=True, name="engine reader")
        self._reader.start()
        self._send_requests()

    def _read(self, child):
        try:
            while True:
                name, args = pickle.load(child.stdout)
                self._heard.emit(name, args)
        except Exception:  # its end, or an answer that cannot be read: the engine is lost
            self._heard.emit("", (child,))

    @Slot(str, object)
    def _on_heard(self, name, args):
        if name in SIGNALS:
            if name in ("finished", "errored"):
                self._runs_over = max(self._runs_over, args[0])
            elif name in ("swept", "sweepFailed"):
                self._sweeps_over = max(self._sweeps_over, args[0])
            getattr(self, name).emit(*args)
        elif args[0] is self._child and not self._ending:
            self._lost()

    def _lost(self):
        """The engine ended by itself (or said what cannot be read): the run and the sweep in
        progress fail, and the next run or sweep starts a new engine."""
        child, self._child = self._child, None
        child.kill()  # if it still runs, its answers are lost anyway
        code = child.wait()
        said = f"the training engine stopped unexpectedly (exit code {code}); it starts again with the next run"
        run, sweep = self.requests.run, self.requests.sweep
        self._lost_with = (run.run_id if run else 0, sweep.sweep_id if sweep else 0)
        if run is not None and run.run_id > self._runs_over:
            self.errored.emit(run.run_id, said)
        if sweep is not None and sweep.sweep_id > self._sweeps_over:
            self.sweepFailed.emit(sweep.sweep_id, said)

    def _send(self, frame) -> None:
        if self._child is None or self._ending:
            return  # none runs, or its input is closed: it is ending
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)  # whole, before any of it is written
        try:
            self._child.stdin.write(data)
            self._child.stdin.flush()
        except OSError:
            pass  # it has ended: its reader says so

    def _send_requests(self):
        """The run and the sweep wanted, but not those an engine died with."""
        run, sweep = self.requests.run, self.requests.sweep
        lost_run, lost_sweep = self._lost_with
        run = run if run is not None and run.run_id > lost_run else None
        sweep = sweep if sweep is not None and sweep.sweep_id > lost_sweep else None
        self._send(("requests", run, sweep))

    def _call(self, name, *args):
        if self._child is None and not self._ending and name in ("start", "sweep"):
            self.launch()
        self._send(("call", name, args))

    @Slot()
    def start(self):
        self._call("start")

    @Slot()
    def sweep(self):
        self._call("sweep")

    @Slot(int)
    def stop(self, run_id):
        self._call("stop", run_id)

    @Slot(int, bool)
    def set_paused(self, run_id, paused):
        self._call("set_paused", run_id, paused)

    @Slot(int, float)
    def set_rate(self, run_id, rate):
        self._call("set_rate", run_id, rate)

    @Slot(int, object)
    def set_stop_at(self, run_id, stop_at):
        self._call("set_stop_at", run_id, stop_at)

    @Slot(int)
    def single_step(self, run_id):
        self._call("single_step", run_id)

    # As a QThread ends: `quit`, then `wait`.
    def quit(self):
        """Close the engine's input: it drops its run and ends."""
        self._ending = True
        if self._child is not None:
            try:
                self._child.stdin.close()
            except OSError:
                pass

    def wait(self):
        if self._child is not None:
            try:
                self._child.wait(END_SECONDS)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()
        if self._reader is not None:
            self._reader.join()

    @property
    def exit_code(self) -> int | None:
        """How the engine ended (0: by itself, as asked), once it has."""
        return None if self._child is None else self._child.poll()


def start_engine_process(engine: EngineProcess) -> EngineProcess:
    engine.launch()
    return engine
