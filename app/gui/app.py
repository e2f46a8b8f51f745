"""Start the Qt application: the window, or a screenshot of it after the default run."""

import contextlib
import signal
import socket
import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app import interrupts
from app.gui.style import BASE_POINT_SIZE
from app.model.files import SaveError, write_bytes

ANIMATED_SHOT_MS = 1500
"""How long an animated run plays before `--screenshot` takes its picture."""
GC_SECONDS = 0.02
"""How often the GUI thread checks whether the cycle collector is due."""


def make_application() -> QApplication:
    """The application, with Python's cycle collector run from its event loop only: left to
    itself, it could run in another thread (the training engine's, when it runs in one, or a
    reader of the engine's answers) and free widgets there, which Qt does not allow (the two
    threads then wait on each other for ever). It looks often, so that each collection is
    short."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not hasattr(app, "garbage_collector"):
        from pyqtgraph.util.garbage_collector import GarbageCollector

        app.garbage_collector = GarbageCollector(interval=GC_SECONDS)
    app.setApplicationName("Train Step Lab")
    app.setOrganizationName("Train Step Lab")
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    return app


def open_window(lesson=None, settings=None, remember=True, exercise=None):
    """The window, set to a lesson's first step, the command line's `settings`, or what
    it remembers, and an exercise open if one is named; its first run starts when it is shown."""
    from app.gui.main_window import MainWindow

    window = MainWindow(remember=remember)
    if lesson:
        window.open_lesson(lesson)
    elif settings is not None:
        window.model.set_settings(settings)
    if exercise:
        window.open_exercise(exercise)
    return window


def run_app(args, settings=None) -> int:
    app = make_application()
    # A screenshot shows no remembered settings.
    window = open_window(args.lesson, settings, remember=not args.screenshot, exercise=args.exercise)
    if interrupts.interrupted():  # Ctrl+C while the window was being made: it never opens
        return interrupts.INTERRUPTED
    close_on_interrupt(window)
    window.show()
    if args.present:
        window.presentation.toggle()
    if args.screenshot:
        screenshot_when_shown(window, args.screenshot)
    status = app.exec()
    window.shutdown()  # however the loop ended, the training engine ends before the process does
    return interrupts.INTERRUPTED if interrupts.interrupted() else status


def close_on_interrupt(window) -> None:
    """Ctrl+C in the terminal closes the window as its Close button does, whatever runs.

    Python runs a signal's handler only between two of its own instructions, never while Qt's
    loop waits: the signal also writes a byte to a socket Qt watches, which wakes the loop
    and lets the handler run. The close is posted to the loop, so it happens between two
    events, never inside a slot.
    """
    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, window)
    notifier.activated.connect(lambda: _drain(reader))
    window.interrupt_wakeup = (notifier, reader, writer)  # open as long as the window is
    interrupts.on_interrupt(lambda: QTimer.singleShot(0, window, window.close))


def _drain(reader):
    """Empty the wake-up socket (the handler itself has run by now)."""
    with contextlib.suppress(OSError):  # nothing more to read
        while reader.recv(64):
            pass


def screenshot_when_shown(window, path):
    """Save the window once its run is drawn: when it finishes or, for a run animated at a
    reading pace, once it has played for ANIMATED_SHOT_MS (a lesson step's picture, not its
    whole run)."""
    taken, timed = [], []

    def take(*_):
        if not taken:
            taken.append(True)
            QTimer.singleShot(0, window, lambda: save_and_quit(window, path))

    def on_chunk(_chunk):
        if window.model.settings.pace == "animate" and not timed:
            timed.append(True)
            QTimer.singleShot(ANIMATED_SHOT_MS, window, take)

    window.runFinished.connect(take)
    window.model.events.chunk.connect(on_chunk)


def save_and_quit(window, path):
    """Save the window as a PNG and quit: status 0, or 2 with a message if it cannot be written."""
    from app.gui.export import png_bytes  # built on first use: start-up stays short

    window.plot.redraw()
    for after in window.views_after_curves():
        after.show_now()
    try:
        write_bytes(path, png_bytes(window.grab()))
        status = 0
    except SaveError as error:
        print(f"train-step-lab: error: {error}", file=sys.stderr)
        status = 2
    window.shutdown()  # the training engine ends before the application does
    QApplication.instance().exit(status)
