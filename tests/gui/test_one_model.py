"""The window draws one app model: what it shows follows the model, and three bugs of state kept
in several places stay fixed."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.gui import MainWindow, layout
from app.model.config import RunConfig
from tests.gui.conftest import RUN_TIMEOUT_MS, shown_window, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window


def test_leaving_presentation_gives_the_controls_their_column_back(qtbot):
    screen = next(s for s in QGuiApplication.screens() if s.name() == "projector")  # 1280×720
    win = MainWindow(remember=False)
    win.setScreen(screen)
    layout.fit_to_screen(win, win.frame)
    shown_window(qtbot, win)
    column = win.frame.controls_column
    width = column.viewport().width()
    win.presentation.toggle()
    qtbot.waitUntil(lambda: not column.isVisible() and win.isFullScreen(), timeout=RUN_TIMEOUT_MS)
    QApplication.processEvents()  # laid out at presentation's text size
    win.presentation.toggle()
    qtbot.waitUntil(lambda: column.isVisible(), timeout=RUN_TIMEOUT_MS)
    QApplication.processEvents()  # the layout settles
    assert column.viewport().width() == width
    assert win.controls.minimumSizeHint().width() <= width and not column.horizontalScrollBar().isVisible()
    stop = win.controls.stop_button
    assert stop.mapTo(column.viewport(), stop.rect().topRight()).x() < width  # Stop is whole
    win.shutdown()


def test_pinning_the_same_settings_twice_keeps_one_pin_and_says_so(window, qtbot):
    qtbot.mouseClick(window.controls.pin_button, Qt.LeftButton)
    qtbot.mouseClick(window.controls.pin_button, Qt.LeftButton)
    assert len(window.model.pins) == 1 and len(window.plot.ghosts.items) == 1
    assert window.statusBar().currentMessage() == "Not pinned: a pin of these settings is on the plot already."
    window.controls.lr_spin.setValue(0.3)
    wait_for_run(qtbot, window)
    qtbot.mouseClick(window.controls.pin_button, Qt.LeftButton)
    assert window.plot.pin_labels == ["pin: lr 0.1", "pin: lr 0.3"]


def test_leaving_the_clip_pitfall_turns_off_the_clipping_it_turned_on(window, qtbot):
    controls = window.controls
    controls.pitfall_combo.setCurrentIndex(controls.pitfall_combo.findData("clip-update-misuse"))
    wait_for_run(qtbot, window)
    assert controls.clip_check.isChecked() and window.record.config.clip_norm == 1.0
    assert "Clipping is on with this pitfall" in window.caption.text()
    controls.pitfall_combo.setCurrentIndex(controls.pitfall_combo.findData(None))
    wait_for_run(qtbot, window)
    assert not controls.clip_check.isChecked() and window.record.config == RunConfig()
    assert window.statusBar().currentMessage() == "Back as before pitfall clip-update-misuse: clipping off."


def test_the_controls_show_what_the_model_is_set_to(window, qtbot):
    """Settings set in the model (a lesson, the command line, a sweep click) reach every box;
    an edit in a box reaches the model: neither keeps a setting of its own."""
    settings = window.model.settings.with_changes(lr=0.05, optimizer="adam", clip_norm=2.5, smoothing=20)
    window.model.set_settings(settings)
    controls = window.controls
    assert controls.lr_spin.value() == 0.05 and controls.optimizer_combo.currentData() == "adam"
    assert controls.clip_check.isChecked() and controls.clip_spin.value() == 2.5
    assert controls.smoothing_slider.value() == 20 and controls.smoothing_label.text() == "20 steps"
    wait_for_run(qtbot, window)
    assert window.record.config == settings.run
    controls.seed_spin.setValue(7)
    assert window.model.settings.run.seed == 7
