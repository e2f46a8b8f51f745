"""No text on screen shows less than itself: every visible label, button, check box, combo box
(each of its choices), tab, table column and status field, on both screens, at normal text
size and three steps larger, in the normal window and in presentation, for every built-in
lesson step (see `text_room.cut_texts`); and the same on a laptop at device pixel ratio 2."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.model.lessons import built_in_lessons, load_lesson
from tests.gui.test_classroom_fit import SCREENS, on_screen, settle
from tests.gui.text_room import cut_texts

pytestmark = pytest.mark.gui  # every test here builds a window

MODES = ("normal", "zoom +3", "presentation")


def _shown(qtbot, win):
    """The step's run drawn, then held still: its figures stop changing while they are measured."""
    qtbot.waitUntil(lambda: win.record is not None and win.record.steps_done("nnx") > 0, timeout=60_000)
    win.runs.pause(True)
    qtbot.waitUntil(lambda: win.model.status in ("paused", "finished"), timeout=60_000)
    settle(qtbot, win)


def _stepped(qtbot, win):
    """One more step taken and shown, its values in the Step panel (not the pause's, a step
    before: the Step panel shows those too). A finished run takes none: its last is shown."""
    taken = win.record.steps_done("nnx")  # the step asked for is numbered this, from 0
    if win.model.status == "finished":
        taken -= 1
    win.single_step()
    qtbot.waitUntil(lambda: getattr(win.side.step_view.inspection, "step", -1) >= taken, timeout=60_000)
    settle(qtbot, win)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_text_has_its_room_in_every_lesson_step(qtbot, screen):
    win = on_screen(qtbot, screen)
    assert win.devicePixelRatio() == float(os.environ.get("QT_SCALE_FACTOR", 1))
    cut = []
    # At pixel ratio 2 the walk skips zoom +3: the fonts are the same points, twice the pixels.
    modes = MODES if os.environ.get("TRAIN_STEP_LAB_TEST_SCALE") != "2" else ("normal", "presentation")
    for mode in modes:
        if mode == "zoom +3":
            for _ in range(3):
                win.zoom(+1)
        if mode == "presentation":
            win.zoom(0)
            win.presentation.toggle()
        for path in built_in_lessons():
            win.open_lesson(path)
            for index in range(len(load_lesson(path).steps)):
                _shown(qtbot, win)
                step_panel = win.side.step_view
                if step_panel.isVisible():  # its values, as a Step shows them
                    _stepped(qtbot, win)
                for text in cut_texts(win):
                    # Three steps larger in the normal window, the Step panel's table needs more
                    # than the plots can spare beside the controls (Ctrl+B hides them for it).
                    if mode == "zoom +3" and step_panel.tree.objectName() in text:
                        continue
                    cut.append(f"{mode}, {path.stem} step {index + 1}: {text}")
                win.lessons.next_step()
    win.shutdown()
    assert cut == []


def test_every_text_has_its_room_on_a_laptop_at_device_pixel_ratio_2():
    """The laptop's walk again in a fresh process whose Qt scales by 2 (it is set before Qt
    starts): labels, ticks and legends measured at twice the pixels."""
    root = Path(__file__).parents[2]
    walk = f"{Path(__file__).relative_to(root)}::test_every_text_has_its_room_in_every_lesson_step[laptop]"
    env = os.environ | {"TRAIN_STEP_LAB_TEST_SCALE": "2"}
    env.pop("QT_QPA_PLATFORM", None)  # tests/conftest.py gives the offscreen platform its screens
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", walk],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert "1 passed" in done.stdout
