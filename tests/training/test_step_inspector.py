"""The step inspector: the run's own step run once more from the state before it, its values
recorded; what it says the step leaves is, to the bit, what the streamed run holds after it."""

import itertools

import numpy as np
import pytest

from app.training import runner
from app.training.config import RunConfig
from app.training.step_inspector import ROWS

STEP = 7  # the step inspected: a few steps in, where momentum and Adam's state are not zero

CONFIGS = [
    RunConfig(optimizer=o, clip_norm=c, ema_decay=e, lr=0.3, steps=20)
    for o, c, e in itertools.product(("sgd", "momentum", "adam"), (None, 0.3), (None, 0.9))
] + [
    RunConfig(paradigm="nnx", optimizer="momentum", steps=20),
    RunConfig(paradigm="linen", optimizer="adam", clip_norm=1.0, steps=20),
    RunConfig(pitfall="forgotten-rebind", steps=20),
]


def _streamed_weights(config):
    """Every step's starting weights, as the window's run records them (cut into chunks)."""
    metrics = runner.run(config).metrics
    return {p: (m["kernel"], m["bias"], m.get("ema_kernel"), m.get("ema_bias")) for p, m in metrics.items()}


def _inspected_at(config, step, cut):
    """Advance a run to `step` + 1 steps in chunks of at most `cut`, and inspect its last step."""
    run = runner.Run(config)
    while run.step <= step:
        run.advance(min(cut, step + 1 - run.step))
    return run.inspect_last()


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.paradigm}-{c.optimizer}-clip{c.clip_norm}-ema{c.ema_decay}-{c.pitfall}")
def test_the_inspected_step_leaves_the_weights_the_run_holds_after_it(config):
    streamed = _streamed_weights(config)
    for cut in (1, 5):  # a single Step, and a pause after a longer chunk
        inspection = _inspected_at(config, STEP, cut)
        assert inspection.step == STEP and set(inspection.values) == set(config.paradigms)
        for p, values in inspection.values.items():
            kernel, bias, ema_kernel, ema_bias = streamed[p]
            assert values["params before"] == {"kernel": kernel[STEP], "bias": bias[STEP]}
            assert values["params after"] == {"kernel": kernel[STEP + 1], "bias": bias[STEP + 1]}  # bit for bit
            if config.ema_decay is not None:
                assert values["EMA params after"] == {"kernel": ema_kernel[STEP + 1], "bias": ema_bias[STEP + 1]}
            assert list(values) == [name for name in ROWS if name in values]  # the listing's order


def test_the_values_are_the_steps_own():
    """Gradients of the batch loss at the weights before; the update is what moved them; the
    clip scaled the gradients to the max norm; momentum's trace is lr-free and grows by them."""
    from app.training.tasks import line_fit_batch

    config = RunConfig(optimizer="momentum", clip_norm=0.3, lr=0.3, steps=20, paradigm="nnx")
    v = _inspected_at(config, STEP, 1).values["nnx"]
    x, y = (a[:, 0].astype(np.float64) for a in line_fit_batch())
    k, b = float(v["params before"]["kernel"]), float(v["params before"]["bias"])
    residual = x * k + b - y
    assert float(v["loss"]["loss"]) == pytest.approx(np.mean(residual**2), rel=1e-5)
    assert float(v["gradients"]["kernel"]) == pytest.approx(np.mean(2 * residual * x), rel=1e-4)
    assert float(v["gradients"]["bias"]) == pytest.approx(np.mean(2 * residual), rel=1e-4)
    norm = float(v["gradient norm"]["norm"])
    clipped = np.array([float(v["clipped gradients"][n]) for n in ("kernel", "bias")])
    grads = np.array([float(v["gradients"][n]) for n in ("kernel", "bias")])
    np.testing.assert_allclose(clipped, grads * min(1.0, 0.3 / norm), rtol=1e-5)
    trace_before = np.array([float(np.ravel(v["optimizer state before"][f"trace/{n}"])[0]) for n in ("kernel", "bias")])
    trace_after = np.array([float(np.ravel(v["optimizer state after"][f"trace/{n}"])[0]) for n in ("kernel", "bias")])
    np.testing.assert_allclose(trace_after, 0.9 * trace_before + clipped, rtol=1e-5)
    update = np.array([float(v["update applied"][n]) for n in ("kernel", "bias")])
    np.testing.assert_allclose(update, -0.3 * trace_after, rtol=1e-5)
    after = np.array([float(v["params after"][n]) for n in ("kernel", "bias")])
    np.testing.assert_allclose(after, np.array([k, b]) + update, rtol=1e-6)


def test_what_became_of_the_state_object():
    both = _inspected_at(RunConfig(steps=20), STEP, 1)
    assert both.facts["linen"].startswith("state: a new TrainState") and "rebound" in both.facts["linen"]
    assert both.facts["nnx"] == "model: the same object, its weights changed in place"
    rebind = _inspected_at(RunConfig(pitfall="forgotten-rebind", steps=20), STEP, 1)
    assert "threw it away" in rebind.facts["linen"]
    assert rebind.values["linen"]["params after"] == rebind.values["linen"]["params before"]


def test_digits_and_a_run_without_steps_are_not_inspected():
    assert runner.Run(RunConfig(steps=5)).inspect_last() is None
    run = runner.Run(RunConfig(task="digits", steps=5))
    run.advance(1)
    assert run.inspect_last() is None
