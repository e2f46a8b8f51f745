"""The redraw policies of the live views. The loss plot draws at once if its last draw was long
enough ago, else once the interval is over, so a long curve redraws less often and the window
stays free (`RedrawThrottle`). The views beside it show their newest state once the curves are
on screen, so that they are not laid out and painted in the curves' pass (`AfterCurves`)."""

import time

from PySide6.QtCore import QObject, QTimer

REDRAW_MS = 16
REDRAW_SHARE = 0.25
"""Redraws may take at most this share of the GUI thread's time."""
LATEST_MS = 50
"""How long a view's newest state waits for the curves' paint (the plot hidden, say)."""


class RedrawThrottle(QObject):
    """Calls `draw()` on `request()`: now, or after the interval; `pending` until it has."""

    def __init__(self, draw, parent=None, interval_ms: int = REDRAW_MS):
        super().__init__(parent)
        self._draw = draw
        self.interval_ms = interval_ms
        self.pending = False
        self.last_draw_seconds = 0.0  # how long the last draw took (the benchmark reads it)
        self._last_draw = 0.0
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.draw_now)

    def request(self):
        """Draw now if the last draw was long enough ago, else once the interval is over."""
        self.pending = True
        if self._timer.isActive():
            return
        interval = max(self.interval_ms / 1000, self.last_draw_seconds / REDRAW_SHARE)
        wait = interval - (time.perf_counter() - self._last_draw)
        if wait <= 0:
            self.draw_now()
        else:
            self._timer.start(int(wait * 1000) + 1)

    def soon(self):
        """Draw at the next turn of the event loop (the view moved: a new range to fill)."""
        self.pending = True
        self._timer.start(0)

    def draw_now(self):
        """Draw whatever is pending, now."""
        self._timer.stop()
        if not self.pending:
            return
        started = time.perf_counter()
        self._draw()
        self.pending = False  # and what the draw itself asked for (a range it settled) is done
        self._timer.stop()
        self._last_draw = time.perf_counter()
        self.last_draw_seconds = self._last_draw - started

    def reset(self):
        """A new run's first data is drawn at once."""
        self._last_draw = 0.0
        self._timer.stop()


class AfterCurves(QObject):
    """Calls `show()` once the curves are on screen: `ask` says there is something new to show,
    `show_now` (connected, queued, to the loss plot's `painted`) shows it; if the plot does not
    paint, it is shown `LATEST_MS` later all the same."""

    def __init__(self, show, parent=None):
        super().__init__(parent)
        self._show = show
        self.pending = False
        self._latest = QTimer(self, singleShot=True, interval=LATEST_MS)
        self._latest.timeout.connect(self.show_now)

    def ask(self):
        self.pending = True
        if not self._latest.isActive():
            self._latest.start()

    def drop(self):
        """Nothing to show after all (a new run began)."""
        self.pending = False
        self._latest.stop()

    def show_now(self):
        self._latest.stop()
        if self.pending:
            self.pending = False
            self._show()
