"""Every number a lesson caption states is what a real run of its settings shows."""

import re

import numpy as np
import pytest

from app.model.lessons import load_lesson
from app.model.stability import hessian_max_eigenvalue, stability_edge
from app.training import runner


def _numbers(caption: str) -> list[float]:
    return [float(n) for n in re.findall(r"(?<![\w.])\d+\.\d+|(?<![\w.])\d+(?![\w.])", caption)]


def test_the_seed_recipe_loss_falls_every_step():
    step = load_lesson("01-the-seed-recipe").steps[0]
    assert "0.1" in step.caption and "64" in step.caption and step.settings.run.lr == 0.1
    loss = runner.run(step.settings.run).metrics["nnx"]["loss"]
    settled = np.flatnonzero(np.diff(loss) >= 0)[0]  # the first step that did not lower the loss
    assert "about step 130" in step.caption and 120 <= settled <= 140
    assert "after about step 50" in step.caption and loss[50] - loss.min() < 0.005 * (loss[0] - loss.min())
    assert np.all(np.diff(loss[: settled + 1]) < 0) and loss[settled:].max() < loss.min() * (1 + 1e-5)


def test_linen_and_nnx_lie_on_top_of_each_other():
    same = load_lesson("01-the-seed-recipe").steps[2]
    assert "the largest gap between them is 0" in same.caption and runner.run(same.settings.run).max_gap == 0.0


def test_the_stability_edge_numbers():
    below, above, momentum = load_lesson("02-the-stability-edge").steps
    assert f"≈ {stability_edge('line', 'sgd'):.3f}" in below.caption
    assert f"≈ {stability_edge('line', 'momentum'):.2f}" in momentum.caption
    assert not runner.run(below.settings.run).diverged_at
    diverging = runner.run(above.settings.run)
    factor = 1 - above.settings.run.lr * hessian_max_eigenvalue()
    assert "≈ −1.41." in above.caption and factor == pytest.approx(-1.41, abs=0.005)
    loss = diverging.metrics["nnx"]["loss"][: diverging.diverged_at["nnx"]]
    assert "from 0.496 to 0.439" in above.caption and loss[:2] == pytest.approx([0.496, 0.439], abs=5e-4)
    assert np.all(np.diff(loss[1:]) > 0) and diverging.diverged_at  # grows every step, to inf
    assert not runner.run(momentum.settings.run).diverged_at


def test_clipping_lesson_numbers():
    unclipped, clipped = load_lesson("03-clipping").steps
    diverged = runner.run(unclipped.settings.run).diverged_at
    assert "about 60 steps" in unclipped.caption and all(45 <= k <= 75 for k in diverged.values())
    m = runner.run(clipped.settings.run).metrics["nnx"]
    loss = m["loss"]
    assert "from step 50 on every gradient is still longer than 0.1" in clipped.caption
    assert m["grad_norm"][50:].min() > clipped.settings.run.clip_norm == 0.1
    minimum = runner.run(clipped.settings.run.with_changes(lr=0.5, clip_norm=None)).metrics["nnx"]["loss"][-1]
    numbers = _numbers(clipped.caption.split("bouncing between")[1])
    low, high, ratio, stated_minimum = numbers[0], numbers[1], numbers[2], numbers[3]
    tail = loss[-200:]
    assert tail.min() == pytest.approx(low, rel=0.02) and tail.max() == pytest.approx(high, rel=0.02)
    assert loss[-1] / minimum == pytest.approx(ratio, abs=0.05) and minimum == pytest.approx(stated_minimum, rel=0.02)


@pytest.mark.slow  # trains the digits model
def test_ema_lesson_wobble_numbers():
    noisy = load_lesson("04-ema-on-noisy-digits").steps[0]
    m = runner.run(noisy.settings.run).metrics
    bands, jumps = [], []
    for p in ("linen", "nnx"):
        tested = m[p]["test_accuracy"][np.isfinite(m[p]["test_accuracy"])][10:]  # after step 500
        bands.append(100 * (tested.max() - tested.min()))
        jumps.append(100 * np.abs(np.diff(tested)).max())
    assert "a band 5 to 8 points wide" in noisy.caption and all(4.5 <= b <= 8.5 for b in bands)
    assert "by up to 5 points" in noisy.caption and all(4.5 <= j <= 5.5 for j in jumps)


def test_momentum_reset_lesson_numbers():
    _, momentum, adam = load_lesson("06-momentum-reset").steps
    m = runner.run(momentum.settings.run).metrics
    assert "more slowly" in momentum.caption and m["nnx"]["loss"][20] > m["linen"]["loss"][20]
    m = runner.run(adam.settings.run).metrics
    linen, nnx = m["linen"]["loss"], m["nnx"]["loss"]
    assert "falls faster at first" in adam.caption and nnx[20] < linen[20]
    low, high, minimum = _numbers(adam.caption.split("bouncing between")[1])
    assert nnx[-100:].min() == pytest.approx(low, abs=5e-5) and nnx[-100:].max() == pytest.approx(high, abs=5e-5)
    assert linen[-1] == pytest.approx(minimum, abs=5e-5)


def _across_and_along(config):
    """Each step's error from the minimum along the Hessian's steep and shallow directions,
    from the weights the run recorded, and the two curvatures."""
    from app.model import tasks

    x, y = (a[:, 0].astype(np.float64) for a in tasks.line_fit_batch())
    a = np.column_stack([x, np.ones_like(x)])
    curvatures, directions = np.linalg.eigh(2.0 / len(a) * a.T @ a)
    minimum = np.linalg.lstsq(a, y, rcond=None)[0]
    m = runner.run(config).metrics["nnx"]
    error = np.column_stack([m["kernel"], m["bias"]]) - minimum
    finite = np.all(np.isfinite(error), axis=1)
    along, across = (error[finite] @ directions).T  # eigh sorts the curvatures up
    return across, along, curvatures[::-1]


def test_why_the_edge_is_two_over_lambda_max_numbers():
    valley, half, below, past = load_lesson("07-why-the-edge-is-2-over-lambda-max").steps
    across, along, (steep, shallow) = _across_and_along(half.settings.run)
    assert f"λmax ≈ {steep:.2f}" in valley.caption and f"λmin ≈ {shallow:.2f}" in valley.caption
    assert half.settings.run.lr == pytest.approx(1 / steep, abs=5e-4) and "0.498 = 1/λmax" in half.caption
    assert abs(across[1]) < 1e-3 * abs(across[0])  # the first step lands on the valley floor
    assert f"{1 - half.settings.run.lr * shallow:.2f}" in half.caption
    np.testing.assert_allclose(along[1:20] / along[:19], 1 - half.settings.run.lr * shallow, rtol=1e-3)

    edge = stability_edge("line", "sgd")
    assert below.settings.run.lr == pytest.approx(0.95 * edge, abs=5e-4) and f"≈ {edge:.3f}" in below.caption
    across, _, _ = _across_and_along(below.settings.run)
    ratios = across[1:30] / across[:29]
    assert "−0.90" in below.caption and np.allclose(ratios, -0.90, atol=0.01)

    assert past.settings.run.lr == pytest.approx(1.05 * edge, abs=5e-4)
    across, _, _ = _across_and_along(past.settings.run)
    assert "−1.10" in past.caption and np.allclose(across[1:30] / across[:29], -1.10, atol=0.01)
    assert runner.run(past.settings.run).diverged_at


def test_one_step_slowly_says_what_the_inspector_shows():
    from app.model.config import MOMENTUM

    take, memory, rebind = load_lesson("08-one-step-slowly").steps
    assert take.settings.pace == "animate" and take.settings.rate == 2 and "two steps a second" in take.caption

    def inspected(config, step=5):
        run = runner.Run(config)
        while run.step <= step:
            run.advance(1)
        return run.inspect_last()

    config = memory.settings.run
    assert f"{MOMENTUM} times the trace before" in memory.caption and f"−{config.lr} times that trace" in memory.caption
    for v in inspected(config).values.values():
        trace = {
            s: np.array([float(np.ravel(v[f"opt_state {s}"][f"trace/{n}"])[0]) for n in ("kernel", "bias")])
            for s in ("before", "after")
        }
        clipped = np.array([float(v["clipped gradients"][n]) for n in ("kernel", "bias")])
        update = np.array([float(v["update applied"][n]) for n in ("kernel", "bias")])
        np.testing.assert_allclose(trace["after"], MOMENTUM * trace["before"] + clipped, rtol=1e-5)
        np.testing.assert_allclose(update, -config.lr * trace["after"], rtol=1e-5)

    shown = inspected(rebind.settings.run)
    linen = shown.values["linen"]
    assert "gradients" in linen and "update thrown away" in linen and "update applied" not in linen
    assert "opt_state thrown away" in linen and "opt_state after" not in linen
    assert linen["params after"] == linen["params before"] and "thrown away" in rebind.caption
    assert "threw it away" in shown.facts["linen"] and "changed in place" in shown.facts["nnx"]
