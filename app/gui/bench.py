"""GUI figures for `python -m app.bench --gui`: reaction time, event-loop gaps, start-up.

Run offscreen (QT_QPA_PLATFORM=offscreen); every figure is taken from a real window.
"""

import statistics
import subprocess
import sys
import time

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

STARTUP_MARK = "window-shown"


def _wait(app, condition, timeout=60.0):
    """Spin the event loop until `condition()` (start-up only: polling holds the GIL)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()


def _until_drawn(window, steps, timeout=600.0):
    """Run the real event loop until both complete curves have been painted on screen.

    The GUI thread idles in Qt as it does in the app (a polling loop would starve the
    worker thread of the GIL), and the paint is the one the app itself schedules.
    """
    loop = QEventLoop()
    viewport = window.plot.viewport()

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Paint and _curves_complete(window, steps):
                QTimer.singleShot(0, loop.quit)  # runs once this paint is done
            return False

    watch = PaintWatch()
    viewport.installEventFilter(watch)
    if _curves_complete(window, steps):
        viewport.update()  # drawn before the watch began: one more paint ends the wait
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    viewport.removeEventFilter(watch)
    if not _curves_complete(window, steps):
        raise TimeoutError("the curves were not complete in time")


def _curves_complete(window, steps):
    lengths = window.plot.curve_lengths()
    return (
        window.finished_run == window.run_id
        and not window.plot.pending
        and lengths["linen"] == lengths["nnx"] == steps
    )


def reaction_times(app, window, changes=60):
    """Seconds from a learning-rate change to both complete 1,000-step curves drawn."""
    spin = window.controls.lr_spin
    values = [0.02 + 0.3 * (k % 20) / 20 for k in range(changes)]
    times = []
    for lr in values:
        t0 = time.perf_counter()
        spin.setValue(lr)
        _until_drawn(window, window.config.steps)
        times.append(time.perf_counter() - t0)
    return times


def longest_gap(app, window, steps=300_000):
    """The longest pause of the GUI event loop while a long run streams to the plot."""
    stamps = []
    timer = QTimer()
    timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    timer.start(1)
    window.controls.steps_spin.setValue(steps)
    t0 = time.perf_counter()
    _until_drawn(window, steps)
    seconds = time.perf_counter() - t0
    timer.stop()
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    return max(gaps), seconds


def startup_seconds(rounds=5):
    """Wall time from launching a new Python process to its window being on screen."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "app.gui.bench", "--startup-child"], stdout=subprocess.PIPE, text=True
        )
        for line in child.stdout:
            if line.strip() == STARTUP_MARK:
                times.append(time.perf_counter() - t0)
                break
        child.kill()
        child.wait()
    return times


def startup_child():
    """Open the window as `python main.py` does and say when it is exposed."""
    from app.gui.app import make_application

    app = make_application()
    from app.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    _wait(app, lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
    print(STARTUP_MARK, flush=True)
    app.exec()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main():
    from app.gui.app import make_application

    app = make_application()
    from app.gui.layout import PREFERRED_SIZE
    from app.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(*PREFERRED_SIZE)  # one size on any screen, so runs on other machines compare
    window.show()
    _wait(app, lambda: window.run_id >= 1)
    _until_drawn(window, window.config.steps)
    reaction = reaction_times(app, window)
    gap, long_run = longest_gap(app, window)
    window.shutdown()
    startup = startup_seconds()
    ms = [t * 1e3 for t in reaction]
    print("GUI, offscreen\n")
    print("| figure | measured | target |")
    print("|---|---:|---:|")
    print(f"| learning-rate change to both complete 1,000-step curves drawn, median of {len(ms)} | {statistics.median(ms):.1f} ms | |")
    print(f"| the same, 95th percentile | {percentile(ms, 95):.1f} ms | ≤ 16 ms |")
    print(f"| longest event-loop gap while a 300,000-step run streams ({long_run:.2f} s) | {gap * 1e3:.1f} ms | < 50 ms |")
    print(f"| process start to window shown, median of {len(startup)} | {statistics.median(startup):.2f} s | < 1 s |")


if __name__ == "__main__":
    if "--startup-child" in sys.argv:
        startup_child()
    else:
        main()
