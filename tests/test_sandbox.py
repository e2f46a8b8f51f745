"""The sandbox across the process boundary, as the command line runs it: a student's file runs
in a child process of its own, and what it does (an endless loop, garbage where the answer
goes, a process left running) ends as a sentence that says what it was. The window's runs of
the same child through QProcess (tests/gui/test_exercise_mode.py) add os._exit, a segmentation
fault, a huge allocation and an error at import. And `--exercise NAME --check FILE`, the
autograder's command line, exits 0, 1 or 2."""

import subprocess
import sys
from pathlib import Path

import pytest

from app.model import sandbox
from app.model.exercises import load_exercise

pytestmark = pytest.mark.slow  # each case starts a Python with JAX

ROOT = Path(__file__).parents[1]
CASES = ROOT / "tests" / "sandbox_cases"
SOLUTIONS = ROOT / "tests" / "exercise_solutions"
EXERCISE = load_exercise("linen-train-step")


def _run(name: str, seconds: float = sandbox.CHECK_SECONDS):
    return sandbox.run_blocking(EXERCISE.path, CASES / name, seconds=seconds)


def _failure(outcome):
    return next(m for m in outcome.messages if isinstance(m, sandbox.Failure))


def test_what_the_students_code_prints_never_breaks_the_answer():
    outcome = _run("prints-and-passes.py")
    assert outcome.problem is None
    results = [m for m in outcome.messages if isinstance(m, sandbox.CaseResult)]
    assert len(results) == len(EXERCISE.cases) and all(r.passed for r in results)
    assert "hello from the student's step" in outcome.output


def test_an_endless_loop_is_stopped_at_the_time_limit():
    outcome = _run("endless-loop.py", seconds=10)
    assert outcome.problem.startswith("did not finish within 10 s (an endless loop")


def test_garbage_where_the_answer_goes_is_a_failed_check_not_a_crash():
    outcome = _run("hostile-reply.py")
    assert outcome.problem == "answered with a reply that is not JSON (the check counts as failed)"


def test_what_the_code_leaves_running_after_its_answer_is_ended_with_it():
    outcome = _run("leaves-a-process.py", seconds=30)
    assert outcome.problem is None  # answered, and finished: the sleeping process did not hold it
    assert all(m.passed for m in outcome.messages if isinstance(m, sandbox.CaseResult))


def test_a_file_with_a_byte_order_mark_runs_as_python_runs_it():
    outcome = _run("byte-order-mark.py")
    assert outcome.problem is None and all(m.passed for m in outcome.messages if isinstance(m, sandbox.CaseResult))


def test_an_exercise_the_child_cannot_prepare_is_not_blamed_on_the_student(tmp_path):
    for name in (EXERCISE.path.name, EXERCISE.starter.name):
        (tmp_path / name).write_bytes((EXERCISE.path.parent / name).read_bytes())
    gone = tmp_path / EXERCISE.path.name
    exercise = load_exercise(gone)
    gone.unlink()  # after the window read it, before the child does
    outcome = sandbox.run_blocking(exercise.path, CASES / "prints-and-passes.py")
    failure = _failure(outcome)
    assert failure.setup and failure.what.startswith("could not be prepared: ExerciseError")
    lines = sandbox.verdict_lines(exercise, [], failure, outcome.problem)
    assert lines[0].startswith("the exercise: could not be prepared") and outcome.problem is None


def _check(*arguments):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *arguments], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def test_the_command_line_grades_a_file_and_exits_0_1_or_2():
    right = _check("--exercise", "train-step-loss", "--check", str(SOLUTIONS / "train-step-loss" / "right.py"))
    assert right.returncode == 0, right.stdout + right.stderr
    assert right.stdout.splitlines()[-1] == "3 of 3 cases passed"
    wrong = _check(
        "--exercise", "train-step-loss", "--check", str(SOLUTIONS / "train-step-loss" / "wrong-constant-factor.py")
    )
    assert wrong.returncode == 1
    assert "FAILED" in wrong.stdout and load_exercise("train-step-loss").hints["constant-factor"] in wrong.stdout
    crashed = _check("--exercise", "linen-train-step", "--check", str(CASES / "exits.py"))
    assert crashed.returncode == 1 and "ended (exit status 3)" in crashed.stdout
    for arguments, said in (
        (("--check", "x.py"), "add --exercise NAME"),
        (("--exercise", "train-step-loss", "--check", "no-such-file.py"), "no such file to check"),
        (("--exercise", "train-step-loss", "--check", str(CASES)), "is a folder, not a Python file"),
        (("--exercise", "no-such-exercise", "--check", "x.py"), "no such exercise file"),
        (("--exercise", "train-step-loss", "--check", "x.py", "--lr", "0.1"), "grades the file alone"),
        (("--exercise", "train-step-loss", "--check", "x.py", "--notebook", "n.ipynb"), "leave out --notebook"),
    ):
        bad = _check(*arguments)
        assert bad.returncode == 2 and said in bad.stderr, (arguments, bad.stderr)
