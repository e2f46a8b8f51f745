"""The status bar's Linen–NNX gap, as its tooltip explains it, against runs."""

import pytest

from app.gui.status_bar import GAP_TIP
from app.model.config import RunConfig
from app.training import runner


def _gap(**settings) -> float:
    return runner.run(RunConfig(**settings)).max_gap


def test_without_pitfall_or_dropout_the_gap_is_zero_and_a_pitfall_opens_it():
    assert "no pitfall and dropout off they run the same math on the same numbers, and it is 0" in GAP_TIP
    assert _gap() == 0.0
    assert "a pitfall breaks one of the two" in GAP_TIP
    assert _gap(pitfall="forgotten-rebind") > 0.1


@pytest.mark.slow  # trains the digits model
def test_dropout_draws_each_paradigm_its_own_keys():
    assert "with dropout on each draws its own dropout keys" in GAP_TIP
    assert _gap(task="digits", steps=200, dropout=0.0) == 0.0
    assert _gap(task="digits", steps=200, dropout=0.1) > 1e-3
