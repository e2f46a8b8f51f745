"""The classic mistakes, run for real: each does what its caption says."""

import inspect

import numpy as np
import pytest

from app.model.config import RunConfig
from app.model.pitfall_notes import PITFALLS
from app.training import runner
from app.training.listings import listing
from app.training.steps import pitfalls

LINE = RunConfig(steps=200, lr=0.05)


def test_forgotten_rebind_keeps_linen_flat_while_nnx_learns():
    m = runner.run(LINE.with_changes(pitfall="forgotten-rebind")).metrics
    assert np.all(m["linen"]["loss"] == m["linen"]["loss"][0])
    assert m["nnx"]["loss"][-1] < 0.1 * m["nnx"]["loss"][0]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_rebuilt_optimizer_changes_stateful_optimizers_only(optimizer):
    config = LINE.with_changes(optimizer=optimizer, pitfall="optimizer-in-loop")
    m = runner.run(config).metrics
    correct = runner.run(config.with_changes(pitfall=None)).metrics
    np.testing.assert_array_equal(m["linen"]["loss"], correct["linen"]["loss"])  # Linen runs correctly
    if optimizer == "sgd":
        np.testing.assert_allclose(m["nnx"]["loss"], correct["nnx"]["loss"], rtol=1e-6)
    else:
        assert np.max(np.abs(m["nnx"]["loss"] - correct["nnx"]["loss"])) > 1e-3
    if optimizer == "momentum":  # momentum that restarts every step is plain SGD
        sgd = runner.run(LINE).metrics
        np.testing.assert_allclose(m["nnx"]["loss"], sgd["nnx"]["loss"], rtol=1e-6)


def test_the_tutorials_clip_call_raises_and_the_chain_runs_beside_it():
    result = runner.run(LINE.with_changes(pitfall="clip-update-misuse", clip_norm=1.0))
    assert result.errors["linen"].startswith("AttributeError: ")  # the chain's clip meets the clip state
    assert "linen" not in result.metrics and len(result.metrics["nnx"]["loss"]) == 200


def test_missing_wrt_shows_flaxs_own_error():
    result = runner.run(LINE.with_changes(pitfall="missing-wrt"))
    assert result.errors["nnx"].startswith("TypeError: Missing required argument `wrt`")
    assert result.metrics["linen"]["loss"][-1] < 0.1 * result.metrics["linen"]["loss"][0]
    only = runner.run(LINE.with_changes(pitfall="missing-wrt", paradigm="nnx"))
    assert only.metrics == {} and "wrt" in only.errors["nnx"]


def test_an_outer_scope_model_gets_exactly_zero_gradients():
    m = runner.run(LINE.with_changes(pitfall="outer-scope-model")).metrics
    assert np.all(m["nnx"]["grad_norm"] == 0.0) and np.all(m["nnx"]["loss"] == m["nnx"]["loss"][0])
    assert m["linen"]["loss"][-1] < 0.1 * m["linen"]["loss"][0]


@pytest.mark.parametrize("name", list(PITFALLS))
def test_the_listing_shows_the_faulty_function_with_its_bug_line_marked(name):
    note = PITFALLS[name]
    shown = listing(note.paradigm, "line", name)
    source = inspect.getsource(getattr(pitfalls, note.function))
    assert shown.text.startswith(source)
    (bug,) = shown.feature_lines["bug"]
    assert "# BUG" in shown.text.splitlines()[bug] and bug < len(source.splitlines())
    assert not shown.feature_lines["clip"] & set(range(len(source.splitlines())))
    other = "nnx" if note.paradigm == "linen" else "linen"
    assert listing(other, "line", name) == listing(other, "line")


@pytest.mark.parametrize("changes", [{"task": "digits"}, {"ema_decay": 0.9}, {"pitfall": "typo"}])
def test_pitfalls_need_the_line_fit_without_ema(changes):
    """Each value alone is valid (the window may hold them, saying why they cannot run), but
    nothing runs them together."""
    with pytest.raises(ValueError, match="pitfall"):
        config = RunConfig(**({"pitfall": "forgotten-rebind"} | changes))  # a typo fails here
        assert "pitfall forgotten-rebind runs on the line fit task with parameter EMA off" == config.problem
        runner.Run(config)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_clip_pitfall_shows_the_error_its_listed_code_raises(optimizer):
    import jax
    from flax import nnx

    from app.model import tasks
    from app.training.steps import linen_step
    from app.training.steps.optimizers import make_tx

    config = LINE.with_changes(pitfall="clip-update-misuse", clip_norm=1.0, optimizer=optimizer)
    shown = runner.run(config).errors["linen"]
    x, y = tasks.line_fit_batch()
    model = nnx.Linear(1, 1, rngs=nnx.Rngs(config.seed))
    params = {"kernel": model.kernel[...], "bias": model.bias[...]}
    state = linen_step.create_state(params, 1, make_tx(optimizer, config.lr, config.clip_norm))
    with pytest.raises(Exception) as raised:
        jax.block_until_ready(pitfalls.clip_update_misuse(state, x, y))
    assert shown == f"{type(raised.value).__name__}: {raised.value}"
    result = runner.run(config)
    assert result.metrics["nnx"]["grad_norm"].max() > config.clip_norm  # the clip had work to do


def test_the_clip_pitfall_needs_clipping_on():
    config = RunConfig(pitfall="clip-update-misuse")
    assert config.problem == "pitfall clip-update-misuse runs beside clipping done right: turn clipping on"
    with pytest.raises(ValueError, match="turn clipping on"):
        runner.Run(config)
    with pytest.raises(ValueError, match="turn clipping on"):
        config.runnable()
