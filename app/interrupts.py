"""Ctrl+C, taken over from the start: never an exception in the middle of an import, a compile
or a slot.

The first Ctrl+C only sets a flag: the program acts on it where that is safe (between two
chunks of a run, before a window opens) and whoever waits can be woken (`on_interrupt`). A
second one ends the process at once with status 130. A process started with Ctrl+C ignored
(`nohup`, say) keeps ignoring it.
"""

import contextlib
import os
import signal
import sys
import threading

INTERRUPTED = 130
"""The exit status after Ctrl+C, as a shell gives it (128 + SIGINT)."""

_seen = threading.Event()
_callbacks = []


def interrupted() -> bool:
    """Ctrl+C was pressed since the program took it over."""
    return _seen.is_set()


def on_interrupt(callback) -> None:
    """Call `callback()` (in the main thread, from the signal's handler) at the first Ctrl+C;
    at once if it came already."""
    _callbacks.append(callback)
    if _seen.is_set():
        callback()


def take_over() -> None:
    """From now until the process ends, Ctrl+C sets the flag (see the module's docstring)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _handle)


@contextlib.contextmanager
def taken_over(restore: bool = True):
    """Ctrl+C sets the flag while this lasts; with `restore`, the handler before it and a clear
    flag come back afterwards (a program that ends leaves it: a Ctrl+C while the process tears
    down ends it at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _handle)
    try:
        yield
    finally:
        if restore:
            signal.signal(signal.SIGINT, previous)
            _seen.clear()
            _callbacks.clear()


def _handle(_signum, _frame):
    if _seen.is_set():
        sys.stderr.flush()
        os._exit(INTERRUPTED)  # the second Ctrl+C: whatever is under way, it ends now
    _seen.set()
    for callback in list(_callbacks):
        callback()
