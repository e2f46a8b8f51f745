"""The machine's floor beside the app: `python -m benchmarks.floor` (offscreen).

The floor is a bare PySide6 + pyqtgraph window of the app's size doing the work a reaction
must do and nothing else: the new run computed on a worker QThread (the app's own compiled
1,000 steps of both paradigms), sent back by a queued signal, set on two 1,000-point curves
(1-px pens, no grid, no legend) and painted. The app's reaction is a learning-rate change to
both complete curves painted (to the end of that paint). The two are timed in turns, in one process, so the machine's
drift touches both alike.
"""

import statistics
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMainWindow

from app.gui.curve_styles import curve_pen
from app.gui.style import PENS
from benchmarks.window import PaintWatch, percentile, shown_window

VARIANTS = {
    "the floor": {},
    "the floor with the app's wide pens": {"wide": True},
    "the floor with the app's grid": {"grid": True},
    "the floor with a second plot": {"second": True},
    "the floor with all three": {"wide": True, "grid": True, "second": True},
    "the floor with pyqtgraph's own grid (translucent lines)": {"grid": "translucent"},
}


class _Worker(QObject):
    done = Signal(object, object, float, float)  # the two loss curves, when the work began and ended

    @Slot(float)
    def compute(self, lr):
        from app.model.config import RunConfig
        from app.training import runner

        began = time.perf_counter()
        metrics = runner.run(RunConfig(lr=lr)).metrics
        linen, nnx = np.asarray(metrics["linen"]["loss"]), np.asarray(metrics["nnx"]["loss"])
        self.done.emit(linen, nnx, began, time.perf_counter())


class FloorWindow(QMainWindow):
    """The floor; with `wide` the app's own pens (Linen 6 px under NNX 2.5 px), with `grid` the
    app's grid, with `second` a second plot under the first (the gradient norm's place): each
    adds one of the app's costs to the floor, to tell what each costs. `grid="translucent"` is
    pyqtgraph's own grid, which the app does not use."""

    ask = Signal(float)

    def __init__(self, size, wide=False, grid=False, second=False):
        super().__init__()
        self.plot = pg.GraphicsLayoutWidget()
        self.setCentralWidget(self.plot)
        plots = [self.plot.addPlot(row=row, col=0) for row in range(1 + second)]
        pens = [curve_pen(p) if wide else pg.mkPen(PENS[p], width=1) for p in ("linen", "nnx")]
        self.curves = [plot.plot(pen=pen) for plot in plots for pen in pens]
        for plot in plots:
            if grid == "translucent":  # pyqtgraph's default: lines blended over the plot
                plot.showGrid(x=True, y=True)
            elif grid:  # the app's grid: its axes' ticks drawn across the plot, opaque, two levels
                for side in ("left", "bottom"):
                    plot.getAxis(side).setTickPen(pg.mkPen("#d0d0d0"))
                    plot.getAxis(side).setStyle(maxTickLevel=1, tickAlpha=255)
                plot.showGrid(x=True, y=True)
        self.resize(*size)
        self.thread = QThread()
        self.worker = _Worker()
        self.worker.moveToThread(self.thread)
        self.ask.connect(self.worker.compute)
        self.worker.done.connect(self.show_curves)  # queued: it comes back on the GUI thread
        self.thread.start()
        self.stamps = {}

    @Slot(object, object, float, float)
    def show_curves(self, linen, nnx, began, ended):
        self.stamps.update(work=ended - began, back=time.perf_counter())
        steps = np.arange(len(linen))
        for curve, values in zip(self.curves, (linen, nnx) * 2, strict=False):
            curve.setData(steps, values)
        for plot in self.plot.ci.items:
            plot.vb.prepareForPaint()  # the ranges settled here, as the app settles them
        self.stamps["drawn"] = time.perf_counter()

    def react(self, lr) -> dict:
        """The moments of one reaction, in seconds from the request (see `PARTS`)."""
        self.stamps = {}
        watch = PaintWatch(self.plot.viewport(), lambda: "drawn" in self.stamps)
        t0 = time.perf_counter()
        self.ask.emit(lr)
        began, ended = watch.wait()
        stamps = self.stamps
        return {
            "asked": 0.0,
            "work": stamps["work"],
            "back": stamps["back"] - t0,
            "drawn": stamps["drawn"] - t0,
            "views": stamps["drawn"] - t0,  # the floor has no other views
            "paint": began - t0,
            "plot painted": ended - t0,  # the plot is all the floor paints
            "painted": ended - t0,
        }

    def stop(self):
        self.thread.quit()
        self.thread.wait()


def app_reaction(window, lr) -> dict:
    """A learning-rate change in the app, its moments as `FloorWindow.react`'s."""
    from benchmarks.window import _curves_complete

    model, stamps = window.model, {}

    def on_run(_record):
        stamps.setdefault("asked", time.perf_counter())

    def on_chunk_first(chunk):  # the first chunk's moments: a later one's would overwrite them
        stamps.setdefault("back", time.perf_counter())
        stamps.setdefault("work", chunk.seconds)

    def on_chunk_last(_chunk):
        stamps.setdefault("views", time.perf_counter())

    def on_drawn():
        stamps.setdefault("drawn", time.perf_counter())

    def on_painted():  # the end of the plot's own paint
        if watch.began is not None:
            stamps.setdefault("plot painted", time.perf_counter())

    model.events.run.connect(on_run, priority=100)
    model.events.chunk.connect(on_chunk_first, priority=100)
    model.events.chunk.connect(on_chunk_last, priority=-100)
    plot, draw = window.plot, window.plot.throttle._draw
    plot.throttle._draw = lambda: (draw(), on_drawn())
    steps = window.record.config.steps
    watch = PaintWatch(plot.viewport(), lambda: _curves_complete(window, steps))
    plot.painted.connect(on_painted)
    try:
        t0 = time.perf_counter()
        window.controls.lr_spin.setValue(lr)
        began, ended = watch.wait()
    finally:
        plot.painted.disconnect(on_painted)
        plot.throttle._draw = draw
        for slot in (on_run, on_chunk_first, on_chunk_last):
            getattr(model.events, "run" if slot is on_run else "chunk").disconnect(slot)
    return {name: t - t0 for name, t in stamps.items() if name != "work"} | {
        "work": stamps["work"],
        "paint": began - t0,
        "painted": ended - t0,
    }


PARTS = [  # (row, from, to): the path of a reaction, in order
    ("the request, until the run is under way (the settings' events)", None, "asked"),
    ("the worker: its 1,000 steps, the hop there and back", "asked", "back"),
    ("  of which the steps themselves", None, "work"),
    ("the curves handed to pyqtgraph, the ranges settled", "back", "drawn"),
    ("the other views' chunk handlers", "drawn", "views"),
    ("until the paint begins", "views", "paint"),
    ("the plot's paint", "paint", "plot painted"),
    ("the rest of that pass of paints (other widgets, the window's flush)", "plot painted", "painted"),
    ("the whole reaction, to both complete curves painted", None, "painted"),
]


def part_times(rows: list[dict], start, end) -> list[float]:
    """Milliseconds of one part of each reaction."""
    return [(row[end] - (row[start] if start else 0.0)) * 1e3 for row in rows]


def main(changes=60):
    from app.gui.layout import PREFERRED_SIZE

    _app, window = shown_window()
    floors = {name: FloorWindow(PREFERRED_SIZE, **options) for name, options in VARIANTS.items()}
    for floor in floors.values():
        floor.show()
        floor.react(0.1)  # compiled and drawn once before the timing
    values = [0.02 + 0.3 * (k % 20) / 20 for k in range(changes)]
    app_rows, rows = [], {name: [] for name in floors}
    for lr in values:  # in turns: the machine's drift touches each alike
        app_rows.append(app_reaction(window, lr))
        for name, floor in floors.items():
            rows[name].append(floor.react(lr))
    for floor in floors.values():
        floor.stop()
    window.shutdown()
    median = statistics.median
    print(f"Medians of {changes} reactions, in turns, in milliseconds.\n")
    print("| part of a reaction | the floor | the app | the app's extra |")
    print("|---|---:|---:|---:|")
    for name, start, end in PARTS:
        floor_ms = median(part_times(rows["the floor"], start, end))
        app_ms = median(part_times(app_rows, start, end))
        print(f"| {name} | {floor_ms:.2f} | {app_ms:.2f} | {app_ms - floor_ms:+.2f} |")
    print("\n| figure | median | 95th percentile | target |")
    print("|---|---:|---:|---:|")
    whole = {name: part_times(r, None, "painted") for name, r in rows.items()}
    app_ms = part_times(app_rows, None, "painted")
    for name, ms in whole.items():
        print(f"| {name}: to both complete curves painted | {median(ms):.1f} ms | {percentile(ms, 95):.1f} ms | |")
    app_row = f"{median(app_ms):.1f} ms | {percentile(app_ms, 95):.1f} ms"
    print(f"| the app: a learning-rate change, the same | {app_row} | |")
    floor_ms = whole["the floor"]
    ratio_median = median(app_ms) / median(floor_ms)
    ratio_p95 = percentile(app_ms, 95) / percentile(floor_ms, 95)
    print(f"| the app against the floor | {ratio_median:.2f}× | {ratio_p95:.2f}× | ≤ 1.5× |")


if __name__ == "__main__":
    main()
