"""The machine's floor beside the app: `python -m benchmarks.floor` (offscreen).

The floor is a bare PySide6 + pyqtgraph window of the app's size doing the work a reaction
must do and nothing else: the new run computed on a worker QThread (the app's own compiled
1,000 steps of both paradigms), sent back by a queued signal, set on two 1,000-point curves
(1-px pens, no grid, no legend) and painted. The app's reaction is a learning-rate change to
both complete curves painted. The two are timed in turns, in one process, so the machine's
drift touches both alike.
"""

import statistics
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QEventLoop, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow

from benchmarks.window import _until_drawn, percentile, shown_window

VARIANTS = {
    "the floor": {},
    "the floor with the app's wide pens": {"wide": True},
    "the floor with the app's grid": {"grid": True},
    "the floor with a second plot": {"second": True},
    "the floor with all three": {"wide": True, "grid": True, "second": True},
}


class _Worker(QObject):
    done = Signal(object, object)  # the two loss curves

    @Slot(float)
    def compute(self, lr):
        from app.model.config import RunConfig
        from app.training import runner

        metrics = runner.run(RunConfig(lr=lr)).metrics
        self.done.emit(np.asarray(metrics["linen"]["loss"]), np.asarray(metrics["nnx"]["loss"]))


class FloorWindow(QMainWindow):
    """The floor; with `wide` the app's pens (Linen 6 px under NNX 2.5 px), with `grid` the
    app's grid, with `second` a second plot under the first (the gradient norm's place): each
    adds one of the app's costs to the floor, to tell what each costs."""

    ask = Signal(float)

    def __init__(self, size, wide=False, grid=False, second=False):
        super().__init__()
        self.plot = pg.GraphicsLayoutWidget()
        self.setCentralWidget(self.plot)
        plots = [self.plot.addPlot(row=row, col=0) for row in range(1 + second)]
        widths = (6, 2.5) if wide else (1, 1)
        self.curves = [
            plot.plot(pen=pg.mkPen(colour, width=width))
            for plot in plots
            for colour, width in zip(("#E69F00", "#0072B2"), widths, strict=True)
        ]
        for plot in plots:
            plot.showGrid(x=grid, y=grid)
        self.resize(*size)
        self.thread = QThread()
        self.worker = _Worker()
        self.worker.moveToThread(self.thread)
        self.ask.connect(self.worker.compute)
        self.worker.done.connect(self.show_curves)  # queued: it comes back on the GUI thread
        self.thread.start()
        self.complete = False

    @Slot(object, object)
    def show_curves(self, linen, nnx):
        steps = np.arange(len(linen))
        for curve, values in zip(self.curves, (linen, nnx) * 2, strict=False):
            curve.setData(steps, values)
        self.complete = True

    def react(self, lr) -> float:
        """Seconds from the request to the paint of both complete curves."""
        self.complete = False
        loop = QEventLoop()
        began = []
        viewport = self.plot.viewport()

        class Watch(QObject):
            def eventFilter(watch, obj, event):
                if event.type() == QEvent.Paint and self.complete and not began:
                    began.append(time.perf_counter())
                    QTimer.singleShot(0, loop.quit)
                return False

        watch = Watch()
        viewport.installEventFilter(watch)
        t0 = time.perf_counter()
        self.ask.emit(lr)
        QTimer.singleShot(30_000, loop.quit)
        loop.exec()
        viewport.removeEventFilter(watch)
        return began[0] - t0

    def stop(self):
        self.thread.quit()
        self.thread.wait()


def main(changes=60):
    from app.gui.layout import PREFERRED_SIZE

    _app, window = shown_window()
    floors = {name: FloorWindow(PREFERRED_SIZE, **options) for name, options in VARIANTS.items()}
    for floor in floors.values():
        floor.show()
        floor.react(0.1)  # compiled and drawn once before the timing
    values = [0.02 + 0.3 * (k % 20) / 20 for k in range(changes)]
    app_ms, times = [], {name: [] for name in floors}
    for lr in values:  # in turns: the machine's drift touches each alike
        t0 = time.perf_counter()
        window.controls.lr_spin.setValue(lr)
        painting = _until_drawn(window, window.record.config.steps)
        app_ms.append((painting - t0) * 1e3)
        for name, floor in floors.items():
            times[name].append(floor.react(lr) * 1e3)
    for floor in floors.values():
        floor.stop()
    window.shutdown()
    floor_ms = times["the floor"]
    median = statistics.median
    print("| figure | median | 95th percentile | target |")
    print("|---|---:|---:|---:|")
    floor_row = f"| the floor: a bare window's reaction, of {changes} | {median(floor_ms):.1f} ms |"
    print(f"{floor_row} {percentile(floor_ms, 95):.1f} ms | |")
    print(
        f"| the app: a learning-rate change to both complete curves painted, of {changes} "
        f"| {median(app_ms):.1f} ms | {percentile(app_ms, 95):.1f} ms | ≤ 1.5 × the floor |"
    )
    for name, ms in times.items():
        if name != "the floor":
            print(f"| {name}, of {changes} | {median(ms):.1f} ms | {percentile(ms, 95):.1f} ms | |")
    ratio_median = median(app_ms) / median(floor_ms)
    ratio_p95 = percentile(app_ms, 95) / percentile(floor_ms, 95)
    print(f"| the app against the floor | {ratio_median:.2f}× | {ratio_p95:.2f}× | ≤ 1.5× |")


if __name__ == "__main__":
    main()
