"""What the slider's tooltip and the sweep's note say a run past the stability edge does
(`stability.past_the_edge`), clause by clause, against runs of the line fit."""

import numpy as np
import pytest

from app.model.config import RunConfig
from app.model.stability import past_the_edge, stability_edge
from app.training import runner


def _loss(optimizer, fraction, clip=None, steps=1000):
    """The NNX loss curve of a run at `fraction` of the edge."""
    edge = stability_edge("line", optimizer, clip is not None)
    config = RunConfig(optimizer=optimizer, steps=steps, paradigm="nnx", clip_norm=clip, lr=fraction * edge)
    return runner.run(config).metrics["nnx"]["loss"]


@pytest.fixture(scope="module")
def minimum():
    return _loss("sgd", 0.3, steps=5000)[-1]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_unclipped_the_loss_grows_without_bound_and_reaches_inf_if_the_run_is_long_enough(optimizer):
    said = past_the_edge(False, optimizer)
    assert said == "diverges: the loss grows without bound, to inf if the run is long enough"
    if optimizer == "sgd":  # 1,000 steps just past the edge: still finite, far above the start
        just_past = _loss(optimizer, 1.005)
        assert np.isfinite(just_past).all() and just_past[-1] > 1e4 * just_past[0]
    assert not np.isfinite(_loss(optimizer, 1.005, steps=6000)[-1])


@pytest.mark.parametrize("fraction", [1.01, 1.03, 1.05])
def test_clipped_sgd_never_settles_and_bounces_further_above_the_minimum_with_a_larger_max_norm(fraction, minimum):
    assert "bouncing above the minimum (the larger the max norm, the further above;" in past_the_edge(True, "sgd")
    large, small = _loss("sgd", fraction, clip=1.0), _loss("sgd", fraction, clip=0.1)
    for loss in (large, small):
        assert np.isfinite(loss).all() and loss[-100:].min() > 1.2 * minimum
    assert large[-100:].min() > small[-100:].max()


@pytest.mark.parametrize("fraction", [1.01, 1.03, 1.05])
def test_clipped_momentum_past_the_edge_swings_far_above_where_the_loss_started(fraction, minimum):
    assert "(with a max norm of 1, far above the loss it started from)" in past_the_edge(True, "momentum")
    loss = _loss("momentum", fraction, clip=1.0)
    assert np.isfinite(loss).all() and loss[-100:].min() > 10 * minimum
    assert loss.max() > 4 * loss[0] and loss[-300:].max() > 2 * loss[0]  # and still, at the end


def test_clipped_sgd_just_past_the_edge_shows_it_only_in_a_long_run(minimum):
    assert "just past the edge, only a long run shows it" in past_the_edge(True, "sgd")
    short, long = _loss("sgd", 1.001, clip=0.1), _loss("sgd", 1.001, clip=0.1, steps=5000)
    assert short[-1] < 1.01 * minimum and long[-100:].min() > 1.05 * minimum


@pytest.mark.parametrize("clip,from_about", [(1.0, 0.6), (0.1, 0.5), (0.01, 0.5)])
def test_clipped_momentum_below_the_edge_is_caught_swinging_from_where_the_tooltip_says(clip, from_about, minimum):
    said = past_the_edge(True, "momentum")
    assert "with a max norm of 1 from about 0.6 of the edge, with smaller ones from about half of it" in said
    fractions = np.arange(0.40, 0.70, 0.002)
    caught = [f for f in fractions if _loss("momentum", f, clip=clip)[-1] >= 1.01 * minimum]
    assert caught and from_about - 0.01 < min(caught) < from_about + 0.03, (clip, min(caught))
