"""Exercise files: what they hold is checked whole, a bad one refused with its problem; the
sandbox's protocol refuses any reply that is not its own; a Check's verdict reads each case."""

import json

import pytest

from app.model import sandbox
from app.model.exercises import (
    DIAGNOSES,
    GRADERS,
    Case,
    ExerciseError,
    built_in_exercises,
    find_exercise,
    load_exercise,
    work_file,
)

GOOD = {
    "title": "A step",
    "task": "Write it.",
    "starter": "start.py",
    "grader": "nnx",
    "cases": [{"seed": 1, "rows": 8, "lr": 0.1, "steps": 3, "optimizer": "adam"}],
    "tolerance": {"rtol": 1e-5, "atol": 1e-6},
    "hints": {"zero-gradients": "Use the model you are given."},
}


def _write(tmp_path, data, starter=True):
    if starter:
        (tmp_path / "start.py").write_text("def train_step(model, optimizer, x, y):\n    ...\n")
    path = tmp_path / "exercise.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_six_exercises_ship_each_with_its_starter_and_known_hints():
    names = {p.stem for p in built_in_exercises()}
    assert {
        "train-step-loss",
        "nnx-train-step",
        "linen-train-step",
        "clipping-in-the-chain",
        "parameter-ema",
        "digits-linen-step",
    } <= names
    for path in built_in_exercises():
        exercise = load_exercise(path.stem)
        assert exercise.grader in GRADERS and exercise.starter.is_file() and exercise.cases
        assert set(exercise.hints) <= set(DIAGNOSES)
        assert load_exercise(path) == exercise  # by name or by path, the same


def test_a_good_file_loads_with_its_cases_and_tolerance(tmp_path):
    exercise = load_exercise(_write(tmp_path, GOOD))
    assert exercise.cases == (Case(seed=1, rows=8, lr=0.1, steps=3, optimizer="adam"),)
    assert (exercise.rtol, exercise.atol) == (1e-5, 1e-6)
    assert exercise.said("zero-gradients") == "Use the model you are given."
    assert exercise.said("dropped-update") == DIAGNOSES["dropped-update"]  # no hint: the grader's own words


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"grader": "magic"}, "grader must be one of"),
        ({"title": ""}, "needs a 'title'"),
        ({"starter": "../elsewhere.py"}, "starter must be a .py file beside the exercise"),
        ({"starter": "missing.py"}, "its starter file missing.py is missing"),
        ({"cases": []}, '"cases" must be a list of 1 to 12'),
        ({"cases": [{"steps": 0}]}, "case 1: steps must be from 1 to 2000"),
        ({"cases": [{"steps": True}]}, "case 1: steps must be a whole number"),
        ({"cases": [{"rows": 2.5}]}, "case 1: rows must be a whole number"),
        ({"cases": [{"lr": float("nan")}]}, "case 1: lr must be a number"),
        ({"cases": [{"optimizer": "lion"}]}, "case 1: optimizer must be one of"),
        ({"cases": [{"code": "import os"}]}, "case 1: unknown field 'code'"),
        ({"tolerance": {"rtol": 2}}, "tolerance rtol must be from 0 to 1"),
        ({"hints": {"typo": "x"}}, "a hint for 'typo', which is not a diagnosis"),
        ({"run": "rm -rf /"}, "unknown field 'run'"),
        ({"grader": "ema"}, "case 1: the ema grader needs its decay"),
        ({"grader": "clip"}, "case 1: the clip grader needs its max_norm"),
    ],
)
def test_a_bad_file_is_refused_with_its_problem(tmp_path, change, said):
    with pytest.raises(ExerciseError) as raised:
        load_exercise(_write(tmp_path, GOOD | change))
    assert said in str(raised.value) and "exercise.json" in str(raised.value)


def test_not_json_and_unknown_names_are_refused(tmp_path):
    with pytest.raises(ExerciseError, match="not valid JSON"):
        load_exercise(_write(tmp_path, "{not json"))
    with pytest.raises(ExerciseError, match=r"no such exercise file, nor a built-in exercise.*nnx-train-step"):
        find_exercise("no-such-exercise")


def test_the_students_copy_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    exercise = load_exercise("linen-train-step")
    path = work_file(exercise)
    assert path.read_text() == exercise.starter.read_text()
    path.write_text("# my work\n")
    assert work_file(exercise).read_text() == "# my work\n"  # never overwritten by the starter
    assert path.is_relative_to(tmp_path)


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b"[1, 2]",
        b'{"kind": "shell", "command": "ls"}',
        b'{"kind": "case", "index": -1, "passed": true, "detail": "x"}',
        b'{"kind": "case", "index": 0, "passed": "yes", "detail": "x"}',
        b'{"kind": "case", "index": 0, "passed": false, "detail": "x", "diagnosis": "made-up"}',
        b'{"kind": "curve", "steps": [0, 1], "yours": [1.0], "reference": [1.0, 2.0]}',
        b'{"kind": "curve", "steps": [0], "yours": ["1"], "reference": [1.0]}',
        b'{"kind": "failure", "what": 3}',
        b"\xff\xfe",
        b'{"kind": "curve", "steps": [0], "yours": [1' + b"0" * 400 + b'], "reference": [1.0]}',
        b'{"kind": "done", "pad": "' + b"x" * (sandbox.MOST_MESSAGE_BYTES + 1) + b'"}',
    ],
)
def test_a_reply_that_is_not_the_protocols_is_refused(line):
    with pytest.raises(sandbox.ProtocolError):
        sandbox.read_message(line)


def test_the_protocols_messages_are_read():
    line = b'{"kind": "case", "index": 1, "passed": false, "detail": "off", "diagnosis": "diverged"}'
    case = sandbox.read_message(line)
    assert case == sandbox.CaseResult(1, False, "off", "diverged")
    curve = sandbox.read_message(b'{"kind": "curve", "steps": [3], "yours": [null], "reference": [0.5]}')
    assert curve == sandbox.Curve((3,), (None,), (0.5,))
    assert sandbox.read_message(b'{"kind": "failure", "what": "boom", "line": 4}') == sandbox.Failure("boom", 4)
    assert sandbox.read_message(b'{"kind": "done"}') == sandbox.Done()


def test_a_case_counts_once_and_a_message_cannot_drive_the_terminal():
    done = b'{"kind": "case", "index": 0, "passed": true, "detail": "ok"}\n'
    outcome = sandbox.outcome_of(done * 2 + b'{"kind": "done"}\n', b"", 0, False, 60)
    assert outcome.problem == "answered with a case answered twice (the check counts as failed)"
    exercise = load_exercise("nnx-train-step")
    fake = [sandbox.CaseResult(i, True, "ok") for i in (0, 0, 0, 7)]
    assert sandbox.passed_cases(exercise, fake) == {0}  # never three of three
    said = sandbox.read_message(b'{"kind": "failure", "what": "boom\\u001b[2J\\r passed"}')
    assert said.what == "boom[2J passed"


def test_how_a_child_ended_is_said_in_a_sentence():
    assert "did not finish within 5 s" in sandbox.ended(None, True, 5, False)
    assert "segmentation fault" in sandbox.ended(-11, False, 5, False)
    assert "os._exit or sys.exit" in sandbox.ended(3, False, 5, False)
    assert sandbox.ended(0, False, 5, True) is None
    assert sandbox.ended(None, True, 5, True) is None  # it answered: what it left running is not its fault


def test_a_checks_verdict_names_each_case_and_the_mistake():
    exercise = load_exercise("nnx-train-step")
    results = [
        sandbox.CaseResult(0, True, "every loss within the tolerance"),
        sandbox.CaseResult(1, False, "loss at step 2: 8.2, the reference's 7.3", "optimizer-rebuilt"),
    ]
    lines = sandbox.verdict_lines(exercise, results, None, "did not finish within 60 s")
    assert lines[0].startswith("case 1 (seed 0, 32 rows, sgd at lr 0.1, 20 steps): passed")
    assert lines[1].startswith("case 2 (seed 3, 40 rows, momentum at lr 0.05, 25 steps): FAILED: loss at step 2")
    assert lines[2] == "  " + exercise.hints["optimizer-rebuilt"]
    assert lines[-2:] == ["the check did not finish within 60 s", "1 of 3 cases passed"]


def test_a_case_is_said_in_plain_english_one_step_and_many():
    assert Case(steps=1, lr=0.3).said() == "seed 0, 32 rows, sgd at lr 0.3, 1 step"
    many = Case(seed=7, rows=50, steps=25, max_norm=1.0)
    assert many.said() == "seed 7, 50 rows, sgd at lr 0.1, 25 steps, max_norm 1"
