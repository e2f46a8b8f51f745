"""One timed launch for `benchmarks.startup`: `python -m benchmarks.startup_child TASK` opens the
window as `python main.py --task TASK` does (without the settings it remembers) and prints the
moment each part of its start ends, on the machine's monotonic clock. It imports nothing
before its first mark but what Python itself has loaded."""

import sys
import time


def mark(name):
    print(name, time.perf_counter(), flush=True)


def main(task: str):
    mark("python")
    from app import interrupts

    interrupts.take_over()
    from app import engine_launch

    engine_launch.launch_early()  # where `main.py` starts it: before Qt's imports
    import pyqtgraph  # noqa: F401
    from PySide6.QtWidgets import QApplication  # noqa: F401

    mark("qt")
    from app.cli import build_parser, settings_from_args
    from app.gui import main_window  # noqa: F401
    from app.gui.app import close_on_interrupt, make_application, open_window

    mark("app")
    app = make_application()
    window = open_window(settings=settings_from_args(build_parser().parse_args(["--task", task])), remember=False)
    mark("built")
    close_on_interrupt(window)
    model = window.model
    model.events.backend.connect(lambda _name: mark("jax"))
    firsts = []

    def on_chunk_first(_chunk):
        if not firsts:
            mark("chunk")

    def on_chunk_last(_chunk):
        if not firsts:
            firsts.append(True)
            window.plot.redraw()
            window.plot.viewport().repaint()  # the first steps, painted now
            mark("painted")
            window.shutdown()
            app.exit(0)

    model.events.chunk.connect(on_chunk_first, priority=100)
    model.events.chunk.connect(on_chunk_last, priority=-100)
    window.show()
    app.processEvents()
    mark("shown")
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1])
