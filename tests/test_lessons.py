"""Lessons: the built-in ones load and run; bad files are refused with a useful message."""

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.model.config import RunConfig
from app.model.lessons import MAX_FILE_BYTES, LessonError, LessonStep, append_step, built_in_lessons, load_lesson
from app.model.settings import Settings
from app.training import runner


def test_at_least_five_lessons_ship():
    assert len(built_in_lessons()) >= 5


@pytest.mark.slow  # trains digits, or runs processes of its own
@pytest.mark.parametrize("path", built_in_lessons(), ids=lambda p: p.stem)
def test_every_built_in_lesson_loads_and_runs_through(path):
    lesson = load_lesson(path)
    assert lesson.title and lesson.steps
    for step in lesson.steps:
        assert len(re.findall(r"[.!?:](?=\s+[A-Z`]|\s*$)", step.caption)) in (2, 3), step.title
        result = runner.run(step.settings.run)
        for p in step.settings.run.paradigms:
            assert p in result.errors or len(result.metrics[p]["loss"]) >= 1


def test_the_stability_edge_lesson_shows_what_it_says():
    steps = load_lesson(next(p for p in built_in_lessons() if "edge" in p.stem)).steps
    below, above, momentum = (runner.run(s.settings.run) for s in steps)
    assert not below.diverged_at and above.diverged_at and not momentum.diverged_at


@pytest.mark.slow  # trains digits, or runs processes of its own
def test_the_ema_lesson_shows_a_steadier_ema_accuracy():
    step = load_lesson(next(p for p in built_in_lessons() if "ema" in p.stem)).steps[1]
    m = runner.run(step.settings.run.with_changes(paradigm="nnx")).metrics["nnx"]
    raw = m["test_accuracy"][np.isfinite(m["test_accuracy"])][10:]
    ema = m["ema_test_accuracy"][np.isfinite(m["ema_test_accuracy"])][10:]
    assert ema.std() < raw.std() and ema.mean() > raw.mean()


def _one_step(settings) -> str:
    return json.dumps({"title": "t", "steps": [{"title": "a", "caption": "b", "settings": settings}]})


@pytest.mark.parametrize(
    "content,problem",
    [
        ("{not json", "is not valid JSON"),
        ('{"steps": []}', "title"),
        ('{"title": "t", "steps": []}', "non-empty"),
        ('{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"lr": -1}}]}', "step 1: lr"),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"speed": 3}}]}',
            "unknown setting 'speed'",
        ),
        ('{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"pace": "slow"}}]}', "pace"),
        ('{"title": "t", "steps": [{"title": "a", "settings": {}}]}', "'caption'"),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"seed": 1' + "0" * 400 + "}}]}",
            "step 1: seed",
        ),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"lr": 1' + "0" * 400 + "}}]}",
            "step 1: lr",
        ),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": {"seed": 1' + "0" * 5000 + "}}]}",
            "not valid JSON",
        ),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        ('{"title": "t", "steps": {"title": "a"}}', "non-empty list"),
        ('{"title": "t", "steps": [["a", "b"]]}', "step 1: must be an object"),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "settings": [1, 2]}]}',
            "step 1: settings must be an object",
        ),
        ('{"title": ["t"], "steps": []}', "title"),
        (_one_step({"lr": 50}), "step 1: lr 50 is outside the window's range"),
        (_one_step({"ema_decay": 0.5}), "step 1: ema_decay 0.5 is outside the window's range"),
        (_one_step({"clip_norm": 1000}), "step 1: clip_norm 1000 is outside the window's range"),
        (
            _one_step({"pitfall": "forgotten-rebind", "paradigm": "nnx"}),
            "step 1: pitfall forgotten-rebind breaks the linen step",
        ),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "panel": "inspector"}]}',
            "step 1: panel must be one of model, landscape, step",
        ),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "panel": "landscape", '
            '"settings": {"task": "digits"}}]}',
            "step 1: panel landscape shows the line fit",
        ),
        (
            '{"title": "t", "steps": [{"title": "a", "caption": "b", "code": "x = 1\\ny = 2"}]}',
            "step 1: code must be one line of the listings' code",
        ),
        ('{"title": "t", "steps": [{"title": "a", "caption": "b", "code": 3}]}', "step 1: code must be one line"),
    ],
)
def test_a_bad_lesson_names_the_file_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(LessonError) as error:
        load_lesson(path)
    assert str(path) in str(error.value) and problem in str(error.value)


def test_missing_file_is_a_lesson_error(tmp_path):
    with pytest.raises(LessonError, match="cannot be read"):
        load_lesson(tmp_path / "nowhere.json")


def test_saved_steps_append_and_round_trip(tmp_path):
    path = tmp_path / "my-class.json"
    first = Settings(RunConfig(lr=0.5, optimizer="momentum", clip_norm=2.0), "animate", 30, log_y=True)
    second = Settings(RunConfig(task="digits", ema_decay=0.99, batch_size=32), smoothing=20, stop_at=0.5)
    append_step(path, LessonStep("One", "The first.", first))
    lesson = append_step(path, LessonStep("Two", "The second.", second))
    assert lesson.title == "My class" and [s.title for s in lesson.steps] == ["One", "Two"]
    assert lesson.steps[0].settings == first and lesson.steps[1].settings == second
    assert json.loads(path.read_text())["steps"][0]["settings"]["pace"] == "animate"
    third = append_step(path, LessonStep("Three", "The landscape.", first, panel="landscape", code="loss, grads ="))
    assert [s.panel for s in third.steps] == [None, None, "landscape"]
    assert [s.code for s in third.steps] == [None, None, "loss, grads ="]


def test_a_lesson_over_a_megabyte_is_refused_unread(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(_one_step({"lr": 0.1})[:-1] + " " * 1_000_001 + "}")
    with pytest.raises(LessonError, match="larger than a lesson can be"):
        load_lesson(path)


def test_a_lesson_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + _one_step({"lr": 0.5}).encode())
    assert load_lesson(path).steps[0].settings.run.lr == 0.5


def test_a_built_in_lesson_opens_by_its_name():
    by_name = load_lesson("02-the-stability-edge")
    assert by_name.path == next(p for p in built_in_lessons() if p.stem == "02-the-stability-edge")
    with pytest.raises(LessonError, match=r"no such lesson file.*02-the-stability-edge"):
        load_lesson("02-the-stability-ridge")


def test_the_built_in_lessons_come_from_the_shipped_resources():
    from app.model.data_files import resources_dir

    assert all(p.parent == resources_dir() / "lessons" for p in built_in_lessons())
    assert (resources_dir() / "digits.npz").is_file()


def _a_saved_lesson(tmp_path):
    path = tmp_path / "class.json"
    append_step(path, LessonStep("One", "The first.", Settings(RunConfig(lr=0.5))))
    return path


def test_a_save_that_fails_leaves_the_lesson_as_it_was(tmp_path, monkeypatch):
    from app.model import files

    path = _a_saved_lesson(tmp_path)
    before = path.read_bytes()

    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_flush_to_disk", disk_full)
    with pytest.raises(LessonError, match="No space left on device; the file there is unchanged"):
        append_step(path, LessonStep("Two", "The second.", Settings()))
    assert path.read_bytes() == before and load_lesson(path).steps[0].title == "One"
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".part"]


def test_a_lesson_holding_a_lone_surrogate_is_extended_not_emptied(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text('{"title": "odd \\ud800", "steps": [{"title": "a \\ud800", "caption": "b", "settings": {}}]}')
    assert load_lesson(path).title == "odd \ud800"  # valid JSON: it opens and plays
    lesson = append_step(path, LessonStep("Two", "The second.", Settings()))
    assert [s.title for s in lesson.steps] == ["a \ud800", "Two"]
    assert load_lesson(path).steps[0].title == "a \ud800"  # nothing lost, the escape kept


def test_a_save_past_the_size_limit_is_refused_and_the_lesson_still_opens(tmp_path):
    path = tmp_path / "full.json"
    steps = [{"title": f"{k}", "caption": "c" * 9_000, "settings": {}} for k in range(110)]
    path.write_text(json.dumps({"title": "Full", "steps": steps}))  # compact: under the limit
    before = path.read_bytes()
    assert len(before) < MAX_FILE_BYTES
    with pytest.raises(LessonError, match=r"would be [\d,]+ bytes, more than a lesson can be"):
        append_step(path, LessonStep("One more", "c" * 9_000, Settings()))
    assert path.read_bytes() == before and len(load_lesson(path).steps) == 110


SAVER = """
import sys
from app.model.lessons import LessonStep, append_step
from app.model.settings import Settings
for k in range(int(sys.argv[3])):
    append_step(sys.argv[1], LessonStep(f"{sys.argv[2]} {k}", "A step.", Settings()))
"""


@pytest.mark.slow  # trains digits, or runs processes of its own
def test_two_windows_saving_to_one_lesson_lose_no_step(tmp_path):
    path = tmp_path / "shared.json"
    link = tmp_path / "elsewhere" / "link.json"  # one window reaches the lesson through a link
    link.parent.mkdir()
    link.symlink_to(path)
    savers = [
        subprocess.Popen([sys.executable, "-c", SAVER, str(where), name, "100"], stderr=subprocess.PIPE, text=True)
        for where, name in ((path, "left"), (link, "right"))
    ]
    errors = [saver.communicate(timeout=300)[1] for saver in savers]
    assert errors == ["", ""] and [saver.returncode for saver in savers] == [0, 0]
    titles = [step.title for step in load_lesson(path).steps]
    assert sorted(titles) == sorted(f"{name} {k}" for name in ("left", "right") for k in range(100))
    for name in ("left", "right"):  # each window's steps in the order it saved them
        assert [t for t in titles if t.startswith(name)] == [f"{name} {k}" for k in range(100)]
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "shared.json"]


def test_a_step_saved_into_a_missing_folder_is_refused_and_makes_nothing(tmp_path):
    path = tmp_path / "missing" / "class.json"
    with pytest.raises(LessonError, match="does not exist"):
        append_step(path, LessonStep("One", "The first.", Settings()))
    assert not path.parent.exists()


@pytest.mark.slow  # trains digits, or runs processes of its own
@pytest.mark.parametrize("device", ["/dev/zero", "fifo", "folder"])
def test_a_lesson_path_that_is_a_device_a_pipe_or_a_folder_is_refused_at_once(tmp_path, device):
    if device == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("named pipes are POSIX")
        device = tmp_path / "pipe.json"
        os.mkfifo(device)  # nobody writes to it: opening it to read would wait for ever
    elif device == "folder":
        device = tmp_path / "folder.json"
        device.mkdir()
    code = f"from app.model.lessons import load_lesson\nload_lesson({str(device)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LessonError" in done.stderr and "is not a regular file" in done.stderr


def test_the_readme_s_example_lesson_loads_and_says_what_its_runs_do(tmp_path):
    """The lesson the README shows is a valid file, and its captions' numbers are its runs'."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    example = readme.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "momentum.json"
    path.write_text(example)
    plain, momentum = load_lesson(path).steps
    settled = []
    for step in (plain, momentum):
        loss = runner.run(step.settings.run.with_changes(paradigm="nnx")).metrics["nnx"]["loss"]
        settled.append(int(np.argmax(loss <= 1.01 * loss.min())))  # within 1 % of its least
    assert "about 340 steps" in plain.caption and round(settled[0], -1) == 340
    assert "in about 80" in momentum.caption and round(settled[1], -1) == 80
