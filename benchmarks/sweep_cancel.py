"""How fast a digits learning-rate sweep lets go: from Stop, and from Close, to an idle worker.

The worker runs in its own QThread exactly as in the window; this thread only asks and waits
in Qt's event loop (never polling), as the window does.
"""

import statistics
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal, Slot

from app.gui.run_requests import Requests, SweepRequest
from app.gui.worker import TrainingWorker, start_worker_thread
from app.model.config import RunConfig


class _Asker(QObject):
    """Lives in this thread: sends the worker requests, and hears its answers here."""

    requestSweep = Signal()
    requestStop = Signal(int)

    def __init__(self, worker):
        super().__init__()
        self.loop = QEventLoop()
        self.progressed = self.stopped = self.ready = False
        self.sweep_id = 0  # the sweep whose progress counts (an older one's may still arrive)
        queued = Qt.QueuedConnection
        self.requestSweep.connect(worker.sweep, queued)
        self.requestStop.connect(worker.stop, queued)
        worker.ready.connect(self._ready, queued)
        worker.sweepProgressed.connect(self._progressed, queued)
        worker.stopped.connect(self._stopped, queued)

    @Slot(str)
    def _ready(self, _backend):
        self.ready = True
        self.loop.quit()

    @Slot(int, object, float)
    def _progressed(self, sweep_id, *_):
        if sweep_id == self.sweep_id:
            self.progressed = True
            self.loop.quit()

    @Slot()
    def _stopped(self):
        self.stopped = True
        self.loop.quit()

    def wait_for(self, flag: str, timeout: float = 300.0):
        deadline = time.perf_counter() + timeout
        QTimer.singleShot(int(timeout * 1000), self.loop.quit)
        while not getattr(self, flag):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the worker never said {flag}")
            self.loop.exec()


def sweep_cancel_seconds(rounds: int = 5) -> tuple[list[float], list[float]]:
    """Seconds from Stop to the worker's `stopped`, and from Close (stop, quit) to the thread's
    end, each asked once a digits sweep is under way (its compile done)."""
    QCoreApplication.instance() or QCoreApplication([])
    config = RunConfig(task="digits")
    stops, closes = [], []
    for _ in range(rounds):
        requests = Requests()
        worker = TrainingWorker(requests)
        asker = _Asker(worker)
        thread = start_worker_thread(worker)
        asker.wait_for("ready")
        for sweep_id, measure in enumerate(("stop", "close"), start=1):
            asker.progressed = asker.stopped = False
            asker.sweep_id = sweep_id
            requests.ask_sweep(SweepRequest(sweep_id, config))
            asker.requestSweep.emit()
            asker.wait_for("progressed")
            t0 = time.perf_counter()
            requests.ask_sweep(None)
            asker.requestStop.emit(0)
            if measure == "stop":
                asker.wait_for("stopped")
                stops.append(time.perf_counter() - t0)
            else:
                thread.quit()
                thread.wait()
                closes.append(time.perf_counter() - t0)
    return stops, closes


def summary(rounds: int = 5) -> str:
    stops, closes = sweep_cancel_seconds(rounds)
    return (
        f"digits learning-rate sweep let go, median (worst) of {rounds}: Stop to an idle worker "
        f"{statistics.median(stops) * 1e3:.0f} ms ({max(stops) * 1e3:.0f} ms), Close to the thread's end "
        f"{statistics.median(closes) * 1e3:.0f} ms ({max(closes) * 1e3:.0f} ms); target ~100 ms"
    )
