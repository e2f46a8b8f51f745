"""A learning-rate slider dragged by a steady hand: `python -m benchmarks.drag` (offscreen).

The hand moves the slider every 16 ms (a mouse's moves at 60 Hz), by about two of its
thousand ticks, driven by a timer in the GUI thread as a mouse's events are: a busy moment
delays the next move as it would a real one. Each paint of the loss plot that shows a run's
complete curves is told apart by the NNX curve it draws, against the runner's curve of each
move's settings. A move is followed when its complete curves, or a newer move's, are painted;
its lag is the time from the move to the end of that paint.
"""

import statistics
import time

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

from app.gui.marked_slider import lr_to_tick
from benchmarks.window import _curves_complete, percentile, shown_window

MOVE_MS = 16
FRAME_MS = 1000 / 60


class Drag(QObject):
    """Moves `window`'s learning-rate slider through `ticks`, one every `MOVE_MS`, and notes
    which move's run each paint of the loss plot shows whole."""

    def __init__(self, window, ticks: list[int]):
        super().__init__()
        self.window, self.ticks = window, ticks
        self.moved = []  # (time, the run settings asked for) per move
        self.painted = []  # (time the paint ended, steps drawn, NNX losses drawn)
        self.shown = []  # per paint, the move whose curve it drew (see `identify`)
        self.loop = QEventLoop()
        self.timer = QTimer(self, interval=MOVE_MS)
        self.timer.timeout.connect(self._move)
        self._drawn = None  # what the paint under way draws whole

    def _move(self):
        k = len(self.moved)
        if k == len(self.ticks):
            self.timer.stop()
            return
        self.window.controls.lr_slider.setValue(self.ticks[k])
        self.moved.append((time.perf_counter(), self.window.model.settings.run))

    def eventFilter(self, obj, event):
        window = self.window
        if event.type() == QEvent.Paint and self.moved and _curves_complete(window, window.record.config.steps):
            x, y = window.plot.loss_curves["nnx"].getData()
            self._drawn = (x.astype(int), y.copy(), len(self.moved) == len(self.ticks))
            QTimer.singleShot(0, self._paint_ended)  # runs once this paint is done
        return False

    def _paint_ended(self):
        x, y, last_made = self._drawn
        self.painted.append((time.perf_counter(), x, y))
        if last_made and self.window.record.config == self.moved[-1][1]:
            self.loop.quit()  # the last move is shown whole: the drag is over

    def run(self, timeout_ms=60_000):
        viewport = self.window.plot.viewport()
        viewport.installEventFilter(self)
        self.timer.start()
        QTimer.singleShot(timeout_ms, self.loop.quit)
        self.loop.exec()
        self.timer.stop()
        viewport.removeEventFilter(self)
        return self

    def identify(self, runner):
        """Tell each paint's move by its curve: the one move whose run's losses it drew."""
        expected = [runner.run(config).metrics["nnx"]["loss"] for _, config in self.moved]
        for _, x, y in self.painted:
            (k,) = [k for k, losses in enumerate(expected) if np.allclose(y, losses[x], rtol=1e-6)]
            self.shown.append(k)
        return self

    def lags_ms(self) -> list[float]:
        """Per move, milliseconds until its complete curves or a newer move's were painted."""
        lags = []
        for k, (moved_at, _) in enumerate(self.moved):
            ends = [end for (end, _, _), shown in zip(self.painted, self.shown, strict=True) if shown >= k]
            ends = [end for end in ends if end > moved_at]
            lags.append((min(ends) - moved_at) * 1e3 if ends else float("inf"))
        return lags

    def shown_moves(self) -> list[int]:
        """The moves shown whole, in the order their paints came."""
        return self.shown


def main(drags=5, moves=120):
    _app, window = shown_window()
    window.controls.lr_spin.setValue(0.02)
    results = []
    low, high = lr_to_tick(0.02), lr_to_tick(0.3)
    stops = [low + round((high - low) * k / moves) for k in range(moves + 1)]
    for d in range(drags):  # back and forth, within the stable learning rates
        path = stops[:: -1 if d % 2 else 1]  # from where the slider is: every move changes it
        results.append(Drag(window, path[1:]).run())
    window.shutdown()
    from app.training import runner  # loaded already, by the window's worker

    for drag in results:
        drag.identify(runner)
    lags = [lag for drag in results for lag in drag.lags_ms()]
    shown = [len(set(drag.shown_moves())) / len(drag.ticks) for drag in results]
    backwards = sum(
        any(b < a for a, b in zip(drag.shown_moves(), drag.shown_moves()[1:], strict=False)) for drag in results
    )
    last = sum(drag.shown_moves()[-1:] == [len(drag.ticks) - 1] for drag in results)
    spacing = [(b[0] - a[0]) * 1e3 for drag in results for a, b in zip(drag.moved, drag.moved[1:], strict=False)]
    median = statistics.median
    said = f"{drags} drags of {moves} moves, one every {MOVE_MS} ms (60 Hz) by about two ticks"
    print(f"{said}, over the stable learning rates.\n")
    print("| figure | measured | target |")
    print("|---|---:|---:|")
    between = f"{median(spacing):.1f} ({percentile(spacing, 95):.1f}) ms"
    print(f"| time between two moves, median (95th percentile) | {between} | {MOVE_MS} ms |")
    print(f"| a move to its complete curves (or a newer move's) painted, median | {median(lags):.1f} ms | |")
    print(f"| the same, 95th percentile | {percentile(lags, 95):.1f} ms | ≤ {FRAME_MS:.1f} ms (a frame) |")
    print(f"| the same, worst | {max(lags):.1f} ms | ≤ {FRAME_MS:.1f} ms (a frame) |")
    late = [k in drag.shown_moves() for drag in results for k, lag in enumerate(drag.lags_ms()) if lag > FRAME_MS]
    print(f"| moves followed later than a frame | {len(late)} of {len(lags)} | none |")
    print(f"| of those, replaced by a newer move before their own run was painted | {late.count(False)} | |")
    print(f"| moves whose own complete curves were painted, median share | {median(shown):.0%} | |")
    print(f"| drags whose last move was painted whole | {last} of {drags} | all |")
    print(f"| drags that showed an older move after a newer one | {backwards} of {drags} | none |")


if __name__ == "__main__":
    main()
