"""The step inspector: the run's own step run once more from the state before it, its values
recorded; what it says the step leaves is, to the bit, what the streamed run holds after it."""

import itertools

import jax
import numpy as np
import pytest

from app.model import tasks
from app.model.config import RunConfig
from app.training import compiled, runner
from app.training.step_inspector import ROWS, inspect_step

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


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: f"{c.paradigm}-{c.optimizer}-clip{c.clip_norm}-ema{c.ema_decay}-{c.pitfall}"
)
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
    from app.model.tasks import line_fit_batch

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
    trace_before = np.array([float(np.ravel(v["opt_state before"][f"trace/{n}"])[0]) for n in ("kernel", "bias")])
    trace_after = np.array([float(np.ravel(v["opt_state after"][f"trace/{n}"])[0]) for n in ("kernel", "bias")])
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


def test_a_run_without_steps_is_not_inspected():
    assert runner.Run(RunConfig(steps=5)).inspect_last() is None
    assert runner.Run(RunConfig(task="digits", steps=5)).inspect_last() is None


DIGITS_CONFIGS = [
    RunConfig(task="digits", optimizer="sgd", steps=60, batch_size=48),
    RunConfig(task="digits", optimizer="momentum", clip_norm=0.5, steps=60, dropout=0.1),
    RunConfig(task="digits", optimizer="adam", lr=0.003, ema_decay=0.9, steps=60, dropout=0.1),
    RunConfig(task="digits", optimizer="adam", lr=0.003, clip_norm=0.5, ema_decay=0.9, steps=60, paradigm="linen"),
    RunConfig(task="digits", optimizer="momentum", ema_decay=0.9, steps=60, paradigm="nnx"),
]
HELD = ("params", "batch_stats", "dropout key", "EMA params")


@pytest.mark.slow  # trains the digits model
@pytest.mark.parametrize(
    "config", DIGITS_CONFIGS, ids=lambda c: f"{c.paradigm}-{c.optimizer}-clip{c.clip_norm}-ema{c.ema_decay}"
)
def test_an_inspected_digits_step_leaves_the_state_the_run_holds_after_it(config):
    """What the state holds after the inspected step is the streamed run's after it (the issue
    asks for float32 rounding; the run's own compiled step gives it to the bit)."""
    streamed = runner.Run(config, chunk_seconds=1.0)  # one chunk to STEP + 1: cut unlike the inspected run
    streamed.advance(STEP + 1)
    prog = compiled.program(config.structure)
    held = jax.device_get(prog.held(prog.unflatten(streamed._carry)))
    inspection = _inspected_at(config, STEP, 3)
    assert inspection.step == STEP and set(inspection.values) == set(config.paradigms)
    state = (
        jax.tree.unflatten(prog._treedef, prog.unflatten(streamed._carry)[1]) if "linen" in config.paradigms else None
    )
    for p, values in inspection.values.items():
        assert list(values) == [name for name in ROWS if name in values]  # the listing's order
        rows = [row for row in HELD if row != "EMA params" or config.ema_decay is not None]
        assert set(held[p]) == set(rows)
        for row in rows:
            assert values[f"{row} after"].keys() == held[p][row].keys()
            for name, array in held[p][row].items():
                np.testing.assert_array_equal(values[f"{row} after"][name], array, err_msg=f"{p} {row} {name}")
    if state is not None:  # the names point at the right layers: read straight from the TrainState
        np.testing.assert_array_equal(
            inspection.values["linen"]["params after"]["hidden/kernel"], state.params["Dense_0"]["kernel"]
        )
        np.testing.assert_array_equal(
            inspection.values["linen"]["batch_stats after"]["var"], state.batch_stats["BatchNorm_0"]["var"]
        )


@pytest.mark.slow  # trains the digits model
def test_the_digits_values_are_the_steps_own():
    """Worked out again in float64 numpy from the inspected batch and weights: the smoothed
    targets, the loss, BatchNorm's running statistics, the accuracy; momentum's update; Linen
    splits its dropout key, NNX's stream counts its draws."""
    config = RunConfig(task="digits", optimizer="momentum", lr=0.05, steps=60, batch_size=48, l2=0.01, dropout=0.0)
    v = _inspected_at(config, STEP, 1).values
    train_x, train_y, _, _ = tasks.digits_split()
    for p in ("linen", "nnx"):
        x = v[p]["batch"]["images"].astype(np.float64)
        labels = v[p]["batch"]["labels"]
        assert x.shape == (48, 64) and labels.shape == (48,)
        rows = [np.flatnonzero((train_x == image).all(1)) for image in v[p]["batch"]["images"]]
        assert all(labels[k] in train_y[found] for k, found in enumerate(rows))  # drawn from the training set
        targets = v[p]["smoothed targets"]["targets"]
        np.testing.assert_allclose(targets, np.eye(10)[labels] * 0.9 + 0.01, rtol=1e-6)

        w = {k: a.astype(np.float64) for k, a in v[p]["params before"].items()}
        h = x @ w["hidden/kernel"] + w["hidden/bias"]
        mean, var = h.mean(0), h.var(0)
        stats = v[p]["batch_stats before"]
        np.testing.assert_allclose(
            v[p]["batch_stats after"]["mean"], 0.9 * stats["mean"] + 0.1 * mean, rtol=1e-4, atol=1e-6
        )
        np.testing.assert_allclose(
            v[p]["batch_stats after"]["var"], 0.9 * stats["var"] + 0.1 * var, rtol=1e-4, atol=1e-6
        )
        hidden = np.maximum((h - mean) / np.sqrt(var + 1e-5) * w["norm/scale"] + w["norm/bias"], 0)
        logits = hidden @ w["out/kernel"] + w["out/bias"]
        log_p = logits - logits.max(1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
        loss = np.mean(-(targets * log_p).sum(1)) + 0.01 * 0.5 * sum(np.sum(a**2) for a in w.values())
        assert float(v[p]["loss"]["loss"]) == pytest.approx(loss, rel=1e-5)
        assert float(v[p]["metrics"]["accuracy"]) == pytest.approx(np.mean(logits.argmax(1) == labels))
        assert list(v[p]["metrics"]) == ["loss", "accuracy", "grad_norm"]  # no test accuracy at this step

        grads = v[p]["gradients"]
        norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values()))
        assert float(v[p]["gradient norm"]["norm"]) == pytest.approx(norm, rel=1e-5)
        for name, g in grads.items():
            trace = 0.9 * v[p]["opt_state before"][f"trace/{name}"] + g
            np.testing.assert_allclose(v[p]["opt_state after"][f"trace/{name}"], trace, rtol=1e-5, atol=1e-8)
            np.testing.assert_allclose(v[p]["update applied"][name], -0.05 * trace, rtol=1e-5, atol=1e-9)
            np.testing.assert_allclose(v[p]["params after"][name], w[name] - 0.05 * trace, rtol=1e-5, atol=1e-7)

    key = jax.random.wrap_key_data(v["linen"]["dropout key before"]["key"])
    np.testing.assert_array_equal(v["linen"]["dropout key after"]["key"], jax.random.key_data(jax.random.split(key)[1]))
    assert v["nnx"]["dropout key after"]["count"] == v["nnx"]["dropout key before"]["count"] == 0  # rate 0 draws none
    dropping = _inspected_at(config.with_changes(dropout=0.1), STEP, 1).values["nnx"]
    assert dropping["dropout key before"]["count"] == STEP and dropping["dropout key after"]["count"] == STEP + 1
    np.testing.assert_array_equal(dropping["dropout key after"]["key"], dropping["dropout key before"]["key"])


@pytest.mark.slow  # trains the digits model
def test_what_became_of_the_digits_state_object():
    facts = _inspected_at(RunConfig(task="digits", steps=60, dropout=0.1), STEP, 1).facts
    assert facts["linen"].startswith("state: a new TrainState (new weights, BatchNorm statistics and dropout key)")
    assert facts["nnx"] == (
        "model: the same object, its weights, BatchNorm statistics and dropout stream's count of keys drawn "
        "changed in place"
    )  # NNX's stream keeps its key: only its count moves


def test_a_step_that_no_longer_moves_the_weights_says_so():
    """Settled in float32, an update can round away: the TrainState is still new, its weights
    are not, and the sentence says which."""
    from app.training.step_inspector import _what_became_of_the_state

    same = {"params": {"kernel": np.float32(2.0), "bias": np.float32(-0.5)}}
    moved = {"params": {"kernel": np.float32(2.0), "bias": np.float32(-0.4)}}
    config = RunConfig()
    assert "(its weights equal to the old ones, to the last bit)" in _what_became_of_the_state(
        "linen", config, same, same
    )
    assert "(new weights)" in _what_became_of_the_state("linen", config, same, moved)
    assert _what_became_of_the_state("nnx", config, same, same) == (
        "model: the same object; this step left its weights as they were, to the last bit"
    )
    assert (
        _what_became_of_the_state("nnx", config, same, moved) == "model: the same object, its weights changed in place"
    )


def test_the_diverging_step_shows_its_non_finite_metrics_and_nothing_after():
    """Past the edge the run stops at its first non-finite loss: the inspector shows that step,
    its metrics dict as the step returned it (not finite), and no step past it."""
    run = runner.Run(RunConfig(lr=1.5, steps=2000))
    while not run.finished:
        run.advance()
    inspection = run.inspect_last()
    assert inspection.step == max(run.diverged_at.values())
    for values in inspection.values.values():  # both diverge at the same step: they compute the same
        assert list(values["metrics"]) == ["loss", "grad_norm"] and not np.isfinite(values["metrics"]["loss"])
    # A paradigm that diverged a step earlier shows nothing of this one.
    step = inspection.step - 1
    prog = compiled.program(run.config.structure)
    before = prog.chunk(prog.init(run.config), step)[0]
    earlier = inspect_step(run.config, before, step, {"nnx": step - 1, "linen": step})
    assert earlier.values["nnx"] == {} and "stopped there" in earlier.facts["nnx"]
    assert np.isfinite(earlier.values["linen"]["loss"]["loss"])


def test_the_rows_keep_each_paradigms_own_order_beside_the_forgotten_rebind():
    shown = _inspected_at(RunConfig(lr=0.3, optimizer="sgd", pitfall="forgotten-rebind"), 3, 1)
    for p, values in shown.values.items():
        assert [name for name in shown.rows if name in values] == list(values), p
    nnx = [name for name in shown.rows if name in shown.values["nnx"]]
    assert nnx.index("update applied") < nnx.index("opt_state after") < nnx.index("params after")


def test_the_optimizer_rebuilt_in_the_loop_shows_its_state_thrown_away():
    config = RunConfig(lr=0.3, optimizer="momentum", pitfall="optimizer-in-loop")
    sixth, seventh = (_inspected_at(config, step, 1).values["nnx"] for step in (6, 7))
    assert "opt_state after" not in sixth and "opt_state thrown away" in sixth
    assert any(np.any(np.asarray(v) != 0) for v in sixth["opt_state thrown away"].values())
    assert all(np.all(np.asarray(v) == 0) for v in seventh["opt_state before"].values())  # the next starts afresh
    linen = _inspected_at(config, 6, 1).values["linen"]
    assert "opt_state after" in linen and "opt_state thrown away" not in linen
