"""The grader on real solutions: each exercise's reference solution passes every hidden case,
and each wrong solution fails with the mistake it makes named (the file's name says which:
`wrong-<diagnosis>.py`). The grading runs here in the test's process, as the sandbox's child
runs it (tests/test_sandbox.py runs it across the process boundary)."""

from pathlib import Path

import pytest

from app.model.exercises import DIAGNOSES, load_exercise
from app.training import exercise_grader as grader

pytestmark = pytest.mark.slow  # every case of every solution trains its step

SOLUTIONS = Path(__file__).parents[1] / "exercise_solutions"
FILES = sorted(SOLUTIONS.glob("*/*.py"))


def _check(path: Path):
    exercise = load_exercise(path.parent.name)
    code = grader.load(path.read_text())
    assert grader.missing(exercise.grader, code) is None
    references = grader.references(exercise)
    return [grader.check_case(exercise, code, i, references[i]) for i in range(len(exercise.cases))]


def test_every_exercise_has_a_right_solution_and_two_wrong_ones():
    for folder in SOLUTIONS.iterdir():
        assert (folder / "right.py").is_file(), folder.name
        assert len(list(folder.glob("wrong-*.py"))) >= 2, folder.name
        load_exercise(folder.name)  # each folder is a built-in exercise's


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_solution_is_graded_and_its_mistake_named(path):
    results = _check(path)
    if path.stem == "right":
        assert all(r.passed for r in results), [r.detail for r in results]
        return
    mistake = path.stem.removeprefix("wrong-")
    assert mistake in DIAGNOSES
    failed = [r for r in results if not r.passed]
    assert failed, "a wrong solution passed every case"
    assert mistake in {r.diagnosis for r in failed}, [(r.detail, r.diagnosis) for r in failed]
    assert {r.diagnosis for r in failed} <= {mistake, None}  # never a wrong name


@pytest.mark.parametrize("name", ["train-step-loss", "nnx-train-step", "linen-train-step", "parameter-ema"])
def test_a_blank_starter_fails_with_a_sentence_not_a_crash(name):
    exercise = load_exercise(name)
    code = grader.load(exercise.starter.read_text())
    result = grader.check_case(exercise, code, 0)
    assert not result.passed
    if name == "parameter-ema":  # a function that does nothing: the EMA weights never move
        assert result.diagnosis == "dropped-update"
    else:
        assert "must return" in result.detail and "not None" in result.detail


def test_an_error_points_at_its_line_in_the_students_file():
    exercise = load_exercise("nnx-train-step")
    code = grader.load((SOLUTIONS / "nnx-train-step" / "wrong-shape-error.py").read_text())
    result = grader.check_case(exercise, code, 1)
    assert result.detail.startswith("TypeError: sub got incompatible shapes") and result.detail.endswith("at line 6")
    with pytest.raises(grader.StudentError) as raised:
        grader.load("x = 1\ndef broken(:\n")
    assert raised.value.failure.line == 2 and raised.value.failure.what.startswith("SyntaxError at line 2")


def test_run_draws_the_recipes_own_function_point_by_point():
    exercise = load_exercise("train-step-loss")
    inline = grader.load(
        "import jax.numpy as jnp\nimport optax\nfrom flax import nnx\n\n\n"
        "def train_step_loss(seed, x, y, lr, num_steps):\n"
        "    model = nnx.Linear(x.shape[-1], y.shape[-1], rngs=nnx.Rngs(int(seed)))\n"
        "    optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)\n"
        "    losses = []\n"
        "    for _ in range(int(num_steps)):\n"
        "        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)\n"
        "        optimizer.update(model, grads)\n"
        "        losses.append(loss)\n"
        "    return jnp.array([losses[0], losses[-1]])\n"
    )
    case = exercise.cases[0]
    points = []
    grader.curves(exercise, inline, case, points.append)
    assert [p.steps[0] for p in points] == [n - 1 for n in grader.recipe_points(case.steps)]
    for point in points:
        assert point.yours[0] == pytest.approx(point.reference[0], rel=exercise.rtol)
