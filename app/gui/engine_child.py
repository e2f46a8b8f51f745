"""The training engine in a process of its own: `python -m app.gui.engine_child`, started by
the window (`app.engine_launch`). The same `TrainingWorker` as in a thread, driven the same way:
a reader thread here plays the window's part, copying the requests it reads into the worker's
`Requests` and waking the worker's slots through queued signals; each of the worker's signals
is written back, pickled, as (name, arguments).

Its own process gives the engine its own interpreter lock: JAX's import and tracing never
hold the window's paints back, and run on the second core beside them.
"""

import os
import pickle
import signal
import sys
import threading
import traceback
from functools import partial

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from app.gui.run_requests import Requests
from app.gui.worker import SIGNALS, TrainingWorker

SLOTS = ("start", "sweep", "stop", "set_paused", "set_rate", "set_stop_at", "single_step")
"""What the window may ask of the worker, by name."""


class Calls(QObject):
    """Carries what the reader thread read to the worker, in the worker's thread."""

    asked = Signal(str, object)  # a slot's name, its arguments

    def __init__(self, worker: TrainingWorker, app: QCoreApplication):
        super().__init__()
        self.worker, self.app = worker, app
        self.asked.connect(self._call, Qt.QueuedConnection)  # in this thread, in the order asked

    @Slot(str, object)
    def _call(self, name, args):
        if name == "load":
            try:
                self.worker.load()
            except Exception:  # no JAX, say: the window hears this process end, and says so
                traceback.print_exc()
                self.app.exit(1)
        elif name == "end":
            self.worker.end()
            self.app.quit()
        elif name in SLOTS:
            getattr(self.worker, name)(*args)


def read(requests: Requests, calls: Calls, source) -> None:
    """Read the window's frames until its end of the pipe closes, then end."""
    try:
        while True:
            kind, *rest = pickle.load(source)
            if kind == "requests":
                run, sweep = rest
                requests.ask_run(run)
                requests.ask_sweep(sweep)
                # A new run or sweep starts as soon as it is known here: the window's own call
                # to start it follows once its views have caught up, and finds it started.
                calls.asked.emit("start", ())
                calls.asked.emit("sweep", ())
            else:
                calls.asked.emit(*rest)
    except Exception:  # the window's end closed, or a frame that cannot be read: end
        calls.asked.emit("end", ())


class Answers:
    """The worker's signals, written to the window one frame at a time."""

    def __init__(self, sink, app: QCoreApplication):
        self.sink, self.app = sink, app
        self._lock = threading.Lock()

    def send(self, name, *args):
        try:
            data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)  # whole, before any is written
        except Exception:  # an answer that cannot be sent: the window hears this process end
            traceback.print_exc()
            self.app.exit(1)
            return
        try:
            with self._lock:
                self.sink.write(data)
                self.sink.flush()
        except OSError:  # the window is gone
            self.app.quit()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the window ends this process, by closing its pipe
    sink = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    try:
        printed = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no standard error (a windowed program)
        printed = os.open(os.devnull, os.O_WRONLY)
    os.dup2(printed, sys.stdout.fileno())  # what a library prints is not an answer
    app = QCoreApplication(sys.argv[:1])
    requests = Requests()
    worker = TrainingWorker(requests)
    answers = Answers(sink, app)
    for name in SIGNALS:
        getattr(worker, name).connect(partial(answers.send, name))
    calls = Calls(worker, app)
    calls.asked.emit("load", ())  # first: whatever the reader reads waits behind JAX's import
    threading.Thread(target=read, args=(requests, calls, sys.stdin.buffer), daemon=True).start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
