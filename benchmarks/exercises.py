"""Exercise figures for `python -m benchmarks.exercises`: Check to the verdict, Run to the
student's first curve painted, and the event loop's longest gap while a sandbox works beside a
normal run's. Offscreen (QT_QPA_PLATFORM=offscreen), in a real window.

Each Check or Run is pressed after the exercise has been open for READ_SECONDS, as a student
reads the task and types: the sandbox's child, started ahead, has loaded JAX and run the
reference by then. Each press uses a fresh child.
"""

import itertools
import statistics
import time
from pathlib import Path

from PySide6.QtCore import QTimer

from benchmarks.window import _idle, _idle_until, _until_drawn, longest_gap, shown_window

READ_SECONDS = 15.0
SOLUTION = Path(__file__).parents[1] / "tests" / "exercise_solutions" / "train-step-loss" / "right.py"


class _Gaps:
    """The GUI event loop's pauses, from a 1 ms timer's ticks."""

    def __init__(self):
        self.stamps = []
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.timer.start(1)

    def tick(self):
        self.stamps.append(time.perf_counter())

    def longest(self) -> float:
        self.timer.stop()
        return max(b - a for a, b in itertools.pairwise(self.stamps))


def press(window, button) -> tuple[float, float, float]:
    """Seconds from `button` clicked to the answer painted, to the first curve point painted
    (Run), and the longest event-loop gap meanwhile."""
    view, model = window.exercise_view, window.model
    gaps = _Gaps()
    t0 = time.perf_counter()
    button.click()
    first = None
    if button is view.run_button:
        _until_drawn(window, 0, complete=lambda: bool(model.exercise_state.steps), widget=view.plot.viewport())
        first = time.perf_counter() - t0
    shows = view.plot if button is view.run_button else view.verdicts  # what the answer is painted in
    _until_drawn(window, 0, complete=lambda: model.exercise_state.status == "idle", widget=shows.viewport())
    return time.perf_counter() - t0, first, gaps.longest()


def main(rounds=5):
    app, window = shown_window()
    normal = [longest_gap(app, window, 300_000 + k)[0] for k in range(rounds)]
    window.controls.steps_spin.setValue(100)
    _until_drawn(window, 100)
    window.open_exercise("train-step-loss")
    view = window.exercise_view
    view.editor.setPlainText(SOLUTION.read_text())
    checks, runs, firsts, gaps = [], [], [], []
    for _ in range(rounds):
        _idle(READ_SECONDS)
        seconds, _, gap = press(window, view.check_button)
        assert all(r.passed for r in window.model.exercise_state.results), window.model.exercise_state
        checks.append(seconds)
        gaps.append(gap)
        _idle(READ_SECONDS)
        seconds, first, gap = press(window, view.run_button)
        runs.append(seconds)
        firsts.append(first)
        gaps.append(gap)
    _idle_until(lambda: True)
    window.shutdown()
    median = statistics.median
    print("| figure | measured | target |")
    print("|---|---:|---:|")
    print(f"| train-step-loss: Check to its verdict painted, median of {rounds} | {median(checks):.2f} s | < 3 s |")
    first = f"| train-step-loss: Run (100 steps) to your first loss painted, median of {rounds} |"
    print(f"{first} {median(firsts):.2f} s | < 2 s |")
    print(f"| the same Run to its whole curve painted, median of {rounds} | {median(runs):.2f} s | |")
    print(
        f"| longest event-loop gap while a sandbox checks or runs, median of {len(gaps)} (worst "
        f"{max(gaps) * 1000:.0f} ms) | {median(gaps) * 1000:.1f} ms | no worse than the next row |"
    )
    print(
        f"| longest event-loop gap while a 300,000-step run streams, median of {rounds} (worst "
        f"{max(normal) * 1000:.0f} ms) | {median(normal) * 1000:.1f} ms | |"
    )


if __name__ == "__main__":
    main()
