"""The lecturer's kit: lessons, zoom, theme, shortcuts, exports and remembered settings."""

import csv
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.gui import MainWindow
from app.gui.actions import shortcut_rows
from app.model.lessons import built_in_lessons, load_lesson
from tests.gui.conftest import RUN_TIMEOUT_MS, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window


def test_a_lesson_steps_through_its_presets_with_page_keys(window, qtbot):
    path = next(p for p in built_in_lessons() if "edge" in p.stem)
    lesson = load_lesson(path)
    assert window.open_lesson(path)
    wait_for_run(qtbot, window)
    assert window.record.config == lesson.steps[0].settings.run
    assert window.lesson_bar.isVisible() and lesson.steps[0].caption in window.lesson_bar.caption.text()
    qtbot.keyClick(window, Qt.Key_PageDown)
    wait_for_run(qtbot, window)
    assert window.record.config == lesson.steps[1].settings.run and window.banner.isVisible()  # it diverges
    assert "step 2 of 3" in window.lesson_bar.heading.text()
    qtbot.keyClick(window, Qt.Key_PageUp)
    wait_for_run(qtbot, window)
    assert window.record.config == lesson.steps[0].settings.run and not window.banner.isVisible()


def test_a_malformed_lesson_is_refused_and_nothing_changes(window, qtbot, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"lr": "fast"}}]}')
    before = window.record.config
    assert not window.open_lesson(path)
    assert window.banner.isVisible() and str(path) in window.banner.text() and "step 1: lr" in window.banner.text()
    assert window.record.config == before and window.model.lesson is None and not window.lesson_bar.isVisible()


def test_saving_settings_as_a_lesson_step_appends_them(window, qtbot, tmp_path):
    window.controls.lr_spin.setValue(0.4)
    wait_for_run(qtbot, window)
    path = tmp_path / "class.json"
    window.save_step(path, "Faster", "A larger learning rate. It converges sooner.")
    lesson = window.save_step(path, "Same again", "Twice. Still the same.")
    assert [s.settings.run.lr for s in lesson.steps] == [0.4, 0.4]


def test_zoom_changes_every_text_together(window, qtbot):
    def sizes():
        return {
            "app": QApplication.font().pointSize(),
            "code": window.listings.nnx_pane.editor.font().pointSize(),
            "ticks": window.plot.loss_plot.getAxis("left").style["tickFont"].pointSize(),
            "legend": window.plot.legend.opts["labelTextSize"],
            "fit": window.side.model_views.fit.getAxis("left").style["tickFont"].pointSize(),
        }

    normal = sizes()
    qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    qtbot.keyClick(window, Qt.Key_Equal, Qt.ControlModifier)
    bigger = sizes()
    assert window.look.zoom > 1
    assert all(float(str(bigger[k]).rstrip("pt")) > float(str(normal[k]).rstrip("pt")) for k in normal)
    qtbot.keyClick(window, Qt.Key_0, Qt.ControlModifier)
    assert sizes() == normal


def test_dark_theme_reaches_the_plots_and_listings(window):
    window.actions["Dark Theme"].trigger()
    assert window.look.dark
    assert window.plot.backgroundBrush().color().name() == "#1e1e1e"
    assert QApplication.palette().base().color().name() == "#1e1e1e"
    window.actions["Dark Theme"].trigger()
    assert window.plot.backgroundBrush().color().name() == "#ffffff"


def test_keyboard_run_pause_step_stop_and_pin(window, qtbot):
    window.controls.rate_spin.setValue(100)
    window.controls.pace_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(window.record.curve("nnx")[1]) >= 3, timeout=RUN_TIMEOUT_MS)
    window.setFocus()
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: window.model.status == "paused", timeout=RUN_TIMEOUT_MS)
    held = len(window.record.curve("nnx")[1])
    qtbot.keyClick(window, Qt.Key_S)
    qtbot.waitUntil(lambda: len(window.record.curve("nnx")[1]) == held + 1, timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key_Escape)
    qtbot.keyClick(window, Qt.Key_P)
    assert len(window.model.pins) == 1
    run = window.run_id
    qtbot.keyClick(window, Qt.Key_R)
    assert window.run_id == run + 1
    assert {keys for keys, _ in shortcut_rows()} >= {"R", "Space", "S", "Esc", "P"}


def test_exports_write_files_that_parse(window, qtbot, tmp_path):
    from app.gui.export import export_csv, export_plot

    window.controls.ema_check.setChecked(True)
    wait_for_run(qtbot, window)
    export_plot(window.plot, tmp_path / "loss.png")
    image = QImage(str(tmp_path / "loss.png"))
    assert not image.isNull() and image.width() > 200
    export_plot(window.plot, tmp_path / "loss.svg")
    svg = ElementTree.parse(tmp_path / "loss.svg").getroot()
    assert svg.tag.endswith("svg") and len(list(svg.iter())) > 50  # drawn as vector elements
    with pytest.raises(ValueError, match=r"png or \.svg"):
        export_plot(window.plot, tmp_path / "loss.gif")
    assert export_csv(window.record, tmp_path / "run.csv") == 2000
    rows = list(csv.DictReader((tmp_path / "run.csv").open()))
    assert list(rows[0])[:5] == ["paradigm", "step", "loss", "grad_norm", "ema_loss"] and len(rows) == 2000
    assert list(rows[0])[5:] == ["kernel", "bias", "ema_kernel", "ema_bias"]  # the weights each loss was computed with
    nnx = [float(r["loss"]) for r in rows if r["paradigm"] == "nnx"]
    np.testing.assert_allclose(nnx, window.record.curve("nnx")[1])
    window.actions["Copy Listings"].trigger()
    copied = QApplication.clipboard().text()
    assert copied.startswith("# Linen") and window.listings.nnx_pane.text() in copied


def test_smoothing_draws_the_mean_over_the_raw_curve(window, qtbot):
    window.controls.show_steps_spin.setValue(1000)  # every step in view: all of each curve is drawn
    window.controls.smoothing_slider.setValue(50)
    raw = window.record.curve("nnx")[1]
    drawn = window.plot.loss_curves["nnx"].yData
    assert drawn[100] == pytest.approx(raw[51:101].mean(), rel=1e-6)
    np.testing.assert_array_equal(window.plot.raw_curves["nnx"].yData, raw)
    window.controls.smoothing_slider.setValue(1)
    np.testing.assert_array_equal(window.plot.loss_curves["nnx"].yData, raw)
    assert not window.plot.raw_curves["nnx"].isVisible()


def test_auto_stop_at_a_target_loss(window, qtbot):
    window.controls.stop_at_spin.setValue(0.05)
    window.controls.stop_at_check.setChecked(True)
    window.controls.steps_spin.setValue(1_000_000)
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and "reached 0.05" in window.banner.text(), timeout=RUN_TIMEOUT_MS
    )
    first = int(np.flatnonzero(window.record.curve("nnx")[1] <= 0.05)[0])
    assert f"NNX at step {first:,}" in window.banner.text()
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        window.stop()
    assert len(window.record.curve("nnx")[1]) < 1_000_000


def test_settings_survive_a_restart(qtbot, private_settings):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: first.run_id >= 1, timeout=RUN_TIMEOUT_MS)
    first.controls.lr_spin.setValue(0.37)
    first.controls.optimizer_combo.setCurrentIndex(2)
    first.controls.log_check.setChecked(True)
    first.zoom(+1)
    first.actions["Dark Theme"].trigger()
    wait_for_run(qtbot, first)
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    config = second.model.settings.run
    assert config.lr == pytest.approx(0.37) and config.optimizer == "adam"
    assert second.controls.log_check.isChecked() and second.look.dark and second.look.zoom > 1
    second.reset_everything()
    assert second.look == type(second.look)() and second.model.settings.run == type(config)()
    second.close()
    third = MainWindow()
    qtbot.addWidget(third)
    assert not third.look.dark and third.model.settings.run.lr == type(config)().lr
    third.shutdown()


def test_bare_keys_leave_a_focused_control_its_keys(window, qtbot):
    check = window.controls.log_check
    check.setFocus()
    qtbot.keyClick(check, Qt.Key_Space)  # toggles the checkbox, does not pause the run
    assert check.isChecked() and not window.controls.pause_button.isChecked()
    spin = window.controls.seed_spin
    spin.setFocus()
    run = window.run_id
    qtbot.keyClick(spin.lineEdit(), Qt.Key_R)  # a letter in a box is not Run
    assert window.run_id == run
    page = window.controls.steps_spin
    assert window.open_lesson("02-the-stability-edge")
    wait_for_run(qtbot, window)
    page.setFocus()
    qtbot.keyClick(page, Qt.Key_PageDown)  # the clicker moves the lesson wherever the focus is
    wait_for_run(qtbot, window)
    assert window.model.lesson_step == 1 and window.record.config.lr == 1.2
