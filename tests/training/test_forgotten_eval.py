"""The forgotten eval mode (a digits pitfall in NNX's evaluation): what it does to test
accuracy, over seeds, as its caption and lesson 09 say."""

import re

import numpy as np
import pytest

from app.model.config import RunConfig
from app.model.lessons import load_lesson
from app.model.pitfall_notes import PITFALLS
from app.training import runner
from app.training.listings import listing

pytestmark = pytest.mark.slow  # trains the digits model, over ten seeds
SEEDS = range(10)


def _tested(record, paradigm):
    """The final test accuracy, in points."""
    accuracy = record.metrics[paradigm]["test_accuracy"]
    return 100 * accuracy[np.isfinite(accuracy)][-1]


def _percents(text):
    return [float(n) for n in re.findall(r"(\d+\.\d)%", text)]


def _points(text):
    """The figures of the sentence about points of accuracy ('2.4 points ..., from 1.4 to 3.6')."""
    sentence = next(part for part in text.split(". ") if "points" in part)
    return [float(n) for n in re.findall(r"\d+\.\d(?!%)", sentence)]


LESSON = load_lesson("09-the-forgotten-eval-mode")


def _per_seed(dropout):
    """Per seed, at `dropout`, lesson 09's run: (NNX tested in training mode, NNX tested
    correctly, Linen in the pitfall's run, Linen in the correct run)."""
    rows = []
    for seed in SEEDS:
        config = LESSON.steps[0].settings.run.with_changes(dropout=dropout, seed=seed, pitfall=None)
        faulty, correct = runner.run(config.with_changes(pitfall="forgotten-eval")), runner.run(config)
        rows.append([_tested(run, p) for p in ("nnx", "linen") for run in (faulty, correct)])
    return np.array(rows)


@pytest.fixture(scope="module")
def dropout_half():
    return _per_seed(0.5)


def test_only_nnxs_evaluation_changes_and_its_listing_marks_the_line():
    shown = listing("nnx", "digits", "forgotten-eval")
    (bug,) = shown.feature_lines["bug"]
    assert "model(images)" in shown.text.splitlines()[bug] and "nnx.view" in shown.text.splitlines()[bug]
    assert listing("linen", "digits", "forgotten-eval") == listing("linen", "digits")
    config = RunConfig(task="digits", steps=100, dropout=0.5)
    faulty, correct = runner.run(config.with_changes(pitfall="forgotten-eval")), runner.run(config)
    for p in ("linen", "nnx"):  # the training itself is untouched: the same weights
        np.testing.assert_array_equal(faulty.metrics[p]["loss"], correct.metrics[p]["loss"])
    assert _tested(faulty, "linen") == _tested(correct, "linen")


def test_with_dropout_half_the_same_weights_test_lower_as_the_caption_and_lesson_say(dropout_half):
    cost = dropout_half[:, 1] - dropout_half[:, 0]
    assert (dropout_half[:, 2] == dropout_half[:, 3]).all()  # Linen's evaluation is its own
    assert "2.4 points below the same weights evaluated correctly" in PITFALLS["forgotten-eval"].caption
    assert round(cost.mean(), 1) == 2.4 and (cost > 0).all()
    assert LESSON.steps[0].settings.run.dropout == 0.5
    tested, fixed, _ = LESSON.steps
    assert _percents(tested.caption) == [round(v, 1) for v in dropout_half[0, :3][[0, 2, 1]]]
    assert _percents(fixed.caption) == [round(dropout_half[0, 1], 1), round(dropout_half[0, 3], 1)]
    assert _points(fixed.caption) == [round(cost.mean(), 1), round(cost.min(), 1), round(cost.max(), 1)]


def test_with_dropout_off_the_same_weights_and_the_bug_hides():
    hidden = LESSON.steps[2]
    moved = []
    for seed in SEEDS:
        record = runner.run(hidden.settings.run.with_changes(seed=seed))
        assert record.max_gap <= 1.2e-7  # the very same weights (a loss may differ in its last bit)
        moved.append(abs(_tested(record, "nnx") - _tested(record, "linen")))
        if seed == 0:
            shown = (round(_tested(record, "nnx"), 1), round(_tested(record, "linen"), 1))
    assert _percents(hidden.caption) == [shown[0]] and len(set(shown)) == 1
    assert _points(hidden.caption) == [round(np.mean(moved), 1), round(max(moved), 1)]


def test_at_the_default_dropout_the_cost_is_what_choosing_the_pitfall_says():
    said = PITFALLS["forgotten-eval"].needs
    assert said[:2] == ("dropout", 0.5)
    cost = _per_seed(0.1)
    cost = cost[:, 1] - cost[:, 0]
    figures = (round(cost.mean(), 1), round(cost.min(), 1), round(cost.max(), 1))
    assert f"costs {figures[0]} points of test accuracy on average over ten seeds" in said[2]
    assert f"from {figures[1]:g} to {figures[2]:g}".replace("-", "−") in said[2]


def test_in_a_students_own_loop_the_faulty_call_would_change_the_model():
    """What the pitfall's docstring says the app spares NNX's training: the call draws dropout
    keys and folds the test images into BatchNorm's running averages."""
    import jax
    from flax import nnx

    from app.model import tasks
    from app.training.steps import digits_nnx, pitfalls

    model = digits_nnx.MLP(0.5, nnx.Rngs(params=0, dropout=1))
    count, mean = model.dropout.rngs.count[...], np.array(model.norm.mean[...])
    pitfalls.forgotten_eval(model, jax.numpy.asarray(tasks.digits_split()[2]))
    said = " ".join(pitfalls.forgotten_eval.__doc__.split())
    assert "draw dropout keys and fold the test images into BatchNorm's running averages" in said
    assert model.dropout.rngs.count[...] == count + 1 and not np.allclose(model.norm.mean[...], mean)
