"""What the window asks of the training worker, kept where both threads can read it: the
newest run and the sweep wanted. A request replaces the one before it, so a request made while
the worker was busy and then replaced is never started (nor compiled)."""

import threading
from dataclasses import dataclass

from psygnal import Signal


@dataclass(frozen=True)
class RunRequest:
    run_id: int
    config: object  # the RunConfig to run
    rate: float  # steps per second when animating; 0 runs flat out
    stop_at: float | None = None  # a loss at which the run ends by itself


@dataclass(frozen=True)
class SweepRequest:
    sweep_id: int
    config: object  # the RunConfig whose learning rate is swept


class Requests:
    """What the window wants of the worker now: the newest run, and the sweep (if any).

    Shared by the GUI thread, which asks, and the worker, which reads it whenever it is free.
    A request replaces the one before it, so whatever was asked meanwhile is never started.
    `changed` tells an engine in another process to copy them (`engine_process`).
    """

    changed = Signal()

    def __init__(self):
        self._lock = threading.Lock()
        self._run: RunRequest | None = None
        self._sweep: SweepRequest | None = None

    def ask_run(self, request: RunRequest | None) -> None:
        """A run to start, or None: none is wanted (one asked for and not started never starts)."""
        with self._lock:
            self._run = request
        self.changed.emit()

    def ask_sweep(self, request: SweepRequest | None) -> None:
        """A sweep to run, or None: no sweep is wanted (one in progress is dropped)."""
        with self._lock:
            self._sweep = request
        self.changed.emit()

    @property
    def run(self) -> RunRequest | None:
        with self._lock:
            return self._run

    @property
    def sweep(self) -> SweepRequest | None:
        with self._lock:
            return self._sweep
