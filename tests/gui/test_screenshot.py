"""`python main.py --screenshot PATH`: a picture of the window after the default run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from app.gui.style import PENS

pytestmark = pytest.mark.gui  # every test here builds a window

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_shows_both_curves(tmp_path, qapp):
    shot = tmp_path / "shot.png"
    env = dict(os.environ)  # offscreen, on the test screens (see tests/conftest.py)
    del env["TRAIN_STEP_LAB_ENGINE"]  # as the app runs: the engine in a process of its own
    done = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(shot)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 1000 and image.height() >= 600
    counts = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            rgb = image.pixel(x, y) & 0xFFFFFF
            counts[rgb] = counts.get(rgb, 0) + 1
    assert len(counts) > 50  # text, code colours, curves: not a blank window
    for pen in ("linen", "nnx"):
        assert counts.get(QColor(PENS[pen]).rgb() & 0xFFFFFF, 0) > 200, pen


def test_screenshot_to_an_unwritable_path_exits_2(tmp_path):
    env = dict(os.environ)  # offscreen, on the test screens (see tests/conftest.py)
    done = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(tmp_path / "missing" / "shot.png")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 2 and said.startswith("train-step-lab: error: the screenshot cannot be written:")
    assert f"the folder {tmp_path / 'missing'} does not exist" in said


def test_a_lesson_screenshot_shows_its_first_step(tmp_path):
    from app.model.lessons import built_in_lessons

    shot = tmp_path / "lesson.png"
    lesson = next(p for p in built_in_lessons() if "rebind" in p.stem)
    env = dict(os.environ)  # offscreen, on the test screens (see tests/conftest.py)
    done = subprocess.run(
        [sys.executable, "main.py", "--lesson", str(lesson), "--screenshot", str(shot)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    banner = QColor("#DCE9F5").rgb() & 0xFFFFFF  # the lesson bar's (and pitfall caption's) blue
    hits = sum(image.pixel(x, y) & 0xFFFFFF == banner for y in range(0, 300, 2) for x in range(0, image.width(), 4))
    assert hits > 500


def test_a_malformed_lesson_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    env = dict(os.environ)  # offscreen, on the test screens (see tests/conftest.py)
    done = subprocess.run(
        [sys.executable, "main.py", "--lesson", str(bad)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and str(bad) in done.stderr and len(done.stderr.strip().splitlines()) == 1
