"""A sweep fills in piece by piece beside the run, Stop cancels it, and closing never aborts."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.gui import MainWindow
from tests.gui.conftest import RUN_TIMEOUT_MS, shown_window

pytestmark = pytest.mark.gui  # every test here builds a window


def _start_digits_sweep(window, qtbot):
    window.controls.task_combo.setCurrentIndex(window.controls.task_combo.findData("digits"))
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 0, timeout=RUN_TIMEOUT_MS)
    qtbot.mouseClick(window.controls.sweep_button, Qt.LeftButton)
    view = window.side.sweep_view
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=RUN_TIMEOUT_MS)
    return view


def test_a_digits_sweep_fills_in_while_the_run_still_steps(window, qtbot):
    controls = window.controls
    controls.rate_spin.setValue(50)
    controls.steps_spin.setValue(100_000)
    controls.pace_combo.setCurrentIndex(controls.pace_combo.findData("animate"))  # a run in flight
    view = _start_digits_sweep(window, qtbot)
    assert view.progress.isVisible() and 0 < view.progress.value() < 1000
    steps, done = window.record.steps_done("nnx"), view.progress.value()
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > steps and view.progress.value() > done, timeout=60_000)
    qtbot.mouseClick(window.controls.run_button, Qt.LeftButton)  # a new run cancels the sweep
    assert "Stopped" in view.note.text() and not view.progress.isVisible()
    frozen = view.progress.value()
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        window.stop()  # once stopped, every piece sent before it has been drawn
    assert view.progress.value() == frozen  # no piece of the cancelled sweep was drawn


def test_stop_cancels_a_sweep_and_keeps_its_points(window, qtbot):
    view = _start_digits_sweep(window, qtbot)
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(window.controls.stop_button, Qt.LeftButton)
    assert "Stopped" in view.note.text() and not view.progress.isVisible()
    kept = view.sweep.done if view.sweep is not None else 0
    assert len(view.curve.xData if view.curve.xData is not None else []) <= kept < 64


def test_closing_during_a_digits_sweep_ends_the_thread(qtbot):
    win = shown_window(qtbot, MainWindow())
    _start_digits_sweep(win, qtbot)
    thread = win.runs.thread
    win.close()  # would abort the whole test process if the running thread were dropped
    assert not win.isVisible() and thread.isFinished() and win.runs.thread is None


def test_a_line_sweep_is_the_same_as_the_headless_one(window, qtbot):
    from app.training.sweep import sweep

    with qtbot.waitSignal(window.sweepShown, timeout=RUN_TIMEOUT_MS):
        window.sweeps.start()
    shown = window.side.sweep_view.sweep
    expected = sweep(window.record.config)
    assert shown.done == len(shown.lrs) == 64
    np.testing.assert_array_equal(shown.final_loss, expected.final_loss)
