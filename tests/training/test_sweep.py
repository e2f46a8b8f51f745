"""The learning-rate sweep and the stability edge it should show."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from app.model import tasks
from app.model.config import RunConfig
from app.model.stability import hessian_max_eigenvalue, stability_edge
from app.training import runner, sweep


def test_the_edge_comes_from_the_losss_own_hessian():
    x, y = tasks.line_fit_batch()

    def loss(theta):
        return jnp.mean((x * theta[0] + theta[1] - y) ** 2)

    hessian = np.asarray(jax.hessian(loss)(jnp.zeros(2)), np.float64)
    assert hessian_max_eigenvalue() == pytest.approx(np.linalg.eigvalsh(hessian).max(), rel=1e-5)
    assert stability_edge("line", "momentum", False) == pytest.approx(1.9 * stability_edge("line", "sgd", False))
    assert stability_edge("line", "adam", False) is None and stability_edge("line", "adam", True) is None
    assert stability_edge("line", "sgd", True) == stability_edge("line", "sgd", False)
    assert stability_edge("digits", "sgd", False) is None


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_just_below_the_edge_converges_and_just_above_diverges(optimizer):
    edge = stability_edge("line", optimizer, False)
    config = RunConfig(optimizer=optimizer, steps=3000, paradigm="nnx")
    below = runner.run(config.with_changes(lr=0.97 * edge)).metrics["nnx"]["loss"]
    above = runner.run(config.with_changes(lr=1.03 * edge))
    assert below[-1] < 1.01 * below.min() and below[-1] < 0.05 * below[0]
    loss = above.metrics["nnx"]["loss"]
    assert "nnx" in above.diverged_at or loss[-1] > 100 * loss[0]


def test_a_sweep_is_the_separate_runs_in_one_call():
    config = RunConfig(steps=400, optimizer="momentum", seed=2)
    result = sweep.sweep(config, points=16)
    assert result.paradigm == "nnx" and len(result.lrs) == 16
    assert result.lrs[0] == pytest.approx(1e-4) and result.lrs[-1] == pytest.approx(10.0)
    for i in (0, 5, 9, 15):
        alone = runner.run(config.with_changes(lr=float(result.lrs[i]), paradigm="nnx"))
        loss = alone.metrics["nnx"]["loss"]
        if "nnx" in alone.diverged_at:
            assert not np.isfinite(result.final_loss[i])
        else:
            assert result.final_loss[i] == pytest.approx(loss[-1], rel=1e-5)
    finite = np.isfinite(result.final_loss)
    assert finite[result.lrs < 0.97 * result.edge].all() and not finite[result.lrs > 1.5 * result.edge].any()
