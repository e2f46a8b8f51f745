"""The lecture's loose ends: the last step of a lesson says so, one step numbering,
identical curves said as such, exports that confirm, remember their folder and are sharp, and
a screenshot of an animated lesson step that does not wait for its whole run."""

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from app.gui import dialogs
from app.gui.export import PNG_WIDTH
from app.model.lessons import built_in_lessons, lesson_title
from tests.gui.conftest import RUN_TIMEOUT_MS, views_pending, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window

ROOT = Path(__file__).resolve().parents[2]


def test_page_down_at_the_last_step_says_so_and_a_second_opens_the_next_lesson(window):
    lessons = built_in_lessons()
    window.open_lesson(lessons[4])
    for _ in range(len(window.model.lesson.steps)):
        window.lessons.next_step()
    said = window.model.notice.text
    assert "last step" in said and lesson_title(lessons[5]) in said
    window.lessons.next_step()
    assert window.model.lesson.title == lesson_title(lessons[5]) and window.model.lesson_step == 0
    window.open_lesson(lessons[-1])
    for _ in range(len(window.model.lesson.steps) + 1):
        window.lessons.next_step()
    assert window.model.notice.text == "This is the lesson's last step." and window.model.lesson.title == lesson_title(
        lessons[-1]
    )


def test_the_views_beside_the_curves_follow_them_and_come_without_them_when_the_plot_is_hidden(window, qtbot):
    """The status bar's figures and the data view's line are shown after the curves' paint;
    with the plot hidden (nothing paints it), a moment later all the same."""
    for hidden in (False, True):
        window.plot.setVisible(not hidden)
        window.controls.steps_spin.setValue(300 + hidden)
        wait_for_run(qtbot, window)  # the figures too
        losses = {p: window.record.curve(p)[1][-1] for p in ("linen", "nnx")}
        assert window.status.step_label.text() == f"steps 0–{299 + hidden} of {300 + hidden}"
        assert window.status.loss_label.text() == f"loss: Linen {losses['linen']:.4g}, NNX {losses['nnx']:.4g}"
        weights = window.record.shown["nnx"]  # the data view's line is the run's last one
        xs, ys = window.side.model_views.fit.lines["nnx"].getData()
        assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(float(weights["kernel"][0, 0]), rel=1e-5)


def test_the_status_bar_numbers_steps_as_the_plot_and_the_step_panel_do(window, qtbot):
    assert window.status.step_label.text() == "steps 0–999 of 1,000"
    assert window.status.difference_label.text() == "losses: Linen = NNX"  # identical, to the last bit
    window.controls.steps_spin.setValue(2000)
    qtbot.waitUntil(lambda: window.record.config.steps == 2000 and window.record.steps_done("nnx") > 0)
    window.single_step()
    qtbot.waitUntil(lambda: window.side.step_view.inspection is not None, timeout=RUN_TIMEOUT_MS)
    step = window.side.step_view.inspection.step
    qtbot.waitUntil(
        lambda: window.record.steps_done("nnx") == step + 1 and not views_pending(window), timeout=RUN_TIMEOUT_MS
    )
    assert window.status.step_label.text() == f"steps 0–{step:,} of 2,000"


def test_an_export_confirms_with_its_path_remembers_its_folder_and_is_sharp(window, tmp_path, monkeypatch):
    target = tmp_path / "slides" / "loss.png"
    target.parent.mkdir()
    asked = []

    def save_as(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(dialogs.QFileDialog, "getSaveFileName", save_as)
    dialogs.export(window, "png")
    assert window.status.currentMessage() == f"Saved {target}"
    assert QImage(str(target)).width() >= PNG_WIDTH
    assert QSettings().value(dialogs.EXPORT_FOLDER) == str(target.parent)
    dialogs.export(window, "csv")
    assert Path(asked[-1]).parent == target.parent  # the next dialog opens where the last export went


def test_a_screenshot_of_an_animated_lesson_step_ends_without_waiting_for_the_run(tmp_path, qapp):
    shot = tmp_path / "lesson.png"
    done = subprocess.run(
        [sys.executable, "main.py", "--lesson", "08-one-step-slowly", "--screenshot", str(shot)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # the run itself, at two steps a second, would take over eight minutes
    )
    assert done.returncode == 0, done.stderr
    assert not QImage(str(shot)).isNull()
