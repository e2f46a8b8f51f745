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


@pytest.fixture(scope="module")
def dropout_half():
    """Per seed, at dropout 0.5: (NNX tested in training mode, NNX tested correctly, Linen in
    the pitfall's run, Linen in the correct run)."""
    rows = []
    for seed in SEEDS:
        config = RunConfig(task="digits", dropout=0.5, seed=seed)
        faulty, correct = runner.run(config.with_changes(pitfall="forgotten-eval")), runner.run(config)
        rows.append([_tested(run, p) for p in ("nnx", "linen") for run in (faulty, correct)])
    return np.array(rows)


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
    tested, fixed, _ = load_lesson("09-the-forgotten-eval-mode").steps
    assert _percents(tested.caption) == [round(v, 1) for v in dropout_half[0, :3][[0, 2, 1]]]
    assert _percents(fixed.caption) == [round(dropout_half[0, 1], 1), round(dropout_half[0, 3], 1)]
    assert _points(fixed.caption) == [round(cost.mean(), 1), round(cost.min(), 1), round(cost.max(), 1)]


def test_with_dropout_off_the_same_weights_and_the_bug_hides():
    hidden = load_lesson("09-the-forgotten-eval-mode").steps[2]
    moved = []
    for seed in SEEDS:
        record = runner.run(RunConfig(task="digits", dropout=0.0, seed=seed, pitfall="forgotten-eval"))
        assert record.max_gap <= 1.2e-7  # the very same weights (a loss may differ in its last bit)
        moved.append(abs(_tested(record, "nnx") - _tested(record, "linen")))
        if seed == 0:
            shown = (round(_tested(record, "nnx"), 1), round(_tested(record, "linen"), 1))
    assert _percents(hidden.caption) == [shown[0]] and len(set(shown)) == 1
    assert _points(hidden.caption) == [round(np.mean(moved), 1), round(max(moved), 1)]
