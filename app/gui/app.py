"""Start the Qt application: the window, or a screenshot of it after the default run."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app.gui.style import BASE_POINT_SIZE


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Train Step Lab")
    app.setOrganizationName("Train Step Lab")
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    return app


def open_window(lesson=None, settings=None, remember=True):
    """The window, set to a lesson's first step, the command line's `settings`, or what
    it remembers; its first run starts when it is shown."""
    from app.gui.main_window import MainWindow

    window = MainWindow(remember=remember)
    if lesson:
        window.open_lesson(lesson)
    elif settings is not None:
        window.controls.set_settings(settings)
    return window


def run_app(args, settings=None) -> int:
    app = make_application()
    window = open_window(
        args.lesson, settings, remember=not args.screenshot
    )  # a screenshot shows no remembered settings
    window.show()
    if args.present:
        window.toggle_presentation()
    if args.screenshot:
        window.runFinished.connect(lambda _: QTimer.singleShot(0, lambda: save_and_quit(window, args.screenshot)))
    status = app.exec()
    window.shutdown()  # however the loop ended, the training thread ends before the process does
    return status


def save_and_quit(window, path):
    """Save the window as a PNG and quit: status 0, or 2 with a message if it cannot be written."""
    window.plot.redraw()
    saved = window.grab().save(path)
    if not saved:
        print(f"train-step-lab: error: could not write {path}", file=sys.stderr)
    window.shutdown()  # the training thread ends before the application does
    QApplication.instance().exit(0 if saved else 2)
