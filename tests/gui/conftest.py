"""A shown main window whose first run (the defaults) has finished."""

import pytest
from PySide6.QtCore import Qt

from app.gui import MainWindow
from app.gui.app import make_application

RUN_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def qapp():
    return make_application()


@pytest.fixture(autouse=True)
def private_settings(tmp_path, qapp):
    """Each test remembers into its own folder: nothing leaks between tests or from the user."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield tmp_path / "settings"
    from app.gui.theme import Look, apply_to_application

    apply_to_application(Look())  # a test's zoom or theme does not reach the next test's window


@pytest.fixture
def window(qtbot):
    win = shown_window(qtbot, MainWindow())
    yield win
    win.shutdown()


def shown_window(qtbot, win):
    """Show `win` and wait until its first run has finished and been drawn."""
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.run_id >= 1, timeout=RUN_TIMEOUT_MS)
    wait_for_run(qtbot, win)
    return win


def wait_for_run(qtbot, win):
    """Wait until the window's current run has finished and been drawn, its figures too."""
    qtbot.waitUntil(
        lambda: win.finished_run == win.run_id and not win.plot.pending and not views_pending(win),
        timeout=RUN_TIMEOUT_MS,
    )


def paused_while_animating(qtbot, win) -> int:
    """Animate the run at 200 steps a second, press Pause once five steps are in, wait until it
    holds: the steps it holds."""
    controls = win.controls
    controls.rate_spin.setValue(200)
    controls.pace_combo.setCurrentIndex(1)  # Animate
    qtbot.waitUntil(lambda: len(win.record.curve("nnx")[1]) >= 5, timeout=RUN_TIMEOUT_MS)
    qtbot.mouseClick(controls.pause_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: win.model.status == "paused", timeout=RUN_TIMEOUT_MS)
    return len(win.record.curve("nnx")[1])


def views_pending(win) -> bool:
    """The views beside the curves have a chunk's state still to show."""
    return any(after.pending for after in win.views_after_curves())
