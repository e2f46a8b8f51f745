"""Linen and NNX run the same training, and both match a hand-written numpy reference."""

import numpy as np
import pytest
from flax import nnx

from app.model import tasks
from app.model.config import RunConfig
from app.training import runner
from tests.training.numpy_reference import train

STEPS = 200
CASES = [(opt, ema, clip) for opt in ("sgd", "momentum", "adam") for ema in (None, 0.9) for clip in (None, 0.3)]


def _initial_weights(seed):
    model = nnx.Linear(1, 1, rngs=nnx.Rngs(seed))
    return np.asarray(model.kernel[...]), np.asarray(model.bias[...])


@pytest.mark.parametrize("optimizer,ema,clip", CASES)
def test_linen_and_nnx_agree_and_match_numpy(optimizer, ema, clip):
    lr = 0.05 if optimizer == "adam" else 0.3
    config = RunConfig(seed=7, lr=lr, steps=STEPS, optimizer=optimizer, ema_decay=ema, clip_norm=clip)
    result = runner.run(config)
    linen, nnx_ = result.metrics["linen"], result.metrics["nnx"]
    names = ["loss", "grad_norm"] + (["ema_loss"] if ema else [])
    weights = ["kernel", "bias"] + (["ema_kernel", "ema_bias"] if ema else [])  # each step's, before it
    assert sorted(linen) == sorted(nnx_) == sorted(names + weights)
    for name in names + weights:
        assert len(linen[name]) == STEPS
        np.testing.assert_allclose(linen[name], nnx_[name], rtol=1e-5, err_msg=name)

    x, y = tasks.line_fit_batch()
    expected = train(x, y, *_initial_weights(7), lr, STEPS, optimizer, clip, ema)
    for name in names:
        # float32 against float64: near the optimum the gradient is a sum of residuals that
        # cancel, so an absolute floor of 1e-6 (the initial gradient norm is ~1) is rounding.
        np.testing.assert_allclose(nnx_[name], expected[name], rtol=2e-4, atol=1e-6, err_msg=name)
    assert nnx_["loss"][-1] < 0.1 * nnx_["loss"][0]  # it learned


def test_clipping_changes_the_run_and_caps_the_step():
    base = RunConfig(seed=1, lr=0.3, steps=50)
    plain = runner.run(base).metrics["nnx"]
    clipped = runner.run(base.with_changes(clip_norm=0.05)).metrics["nnx"]
    assert plain["grad_norm"][0] == pytest.approx(clipped["grad_norm"][0])  # reported before clipping
    assert clipped["grad_norm"][0] > 0.05
    assert clipped["loss"][1] > plain["loss"][1]  # a smaller step learns less at first


def test_ema_loss_trails_the_raw_loss():
    result = runner.run(RunConfig(seed=2, lr=0.1, steps=300, ema_decay=0.99)).metrics["linen"]
    assert result["ema_loss"][0] == pytest.approx(result["loss"][0])  # the EMA starts at the params
    assert np.all(result["ema_loss"][5:100] > result["loss"][5:100])  # and lags behind them


def test_the_step_modules_students_read_are_ruff_formatted():
    """They are the listings: formatted as ruff formats them, at PEP 8's 79 columns."""
    import subprocess
    import sys
    from pathlib import Path

    from app.training.listings import HELPERS, STEP_MODULES, TX_MODULE

    modules = {m for task in STEP_MODULES.values() for m in task.values()}
    modules |= {m for helpers in HELPERS.values() for m, _ in helpers} | {TX_MODULE, "app.training.steps.pitfalls"}
    root = Path(__file__).resolve().parents[2]
    files = [str(root.joinpath(*m.split(".")).with_suffix(".py")) for m in sorted(modules)]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", "79", *files],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
