"""The digits task: data, the Linen and NNX steps, the program and its runs."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from app.model import tasks
from app.model.config import RunConfig, batch_rows
from app.training import compiled, runner
from app.training.digits_program import BATCH_STREAM, EVAL_EVERY, linen_variables
from app.training.steps import digits_linen, digits_nnx

pytestmark = pytest.mark.slow  # trains the digits model

DIGITS = RunConfig(task="digits", steps=300, dropout=0.0)


def test_the_split_is_fixed_and_complete():
    train_x, train_y, test_x, test_y = tasks.digits_split()
    assert train_x.shape == (1437, 64) and test_x.shape == (360, 64)
    assert set(np.unique(train_y)) == set(np.unique(test_y)) == set(range(10))
    assert 0 <= train_x.min() and train_x.max() == 1.0
    with np.load(tasks.DIGITS_FILE) as data:
        assert data["images"].shape == (1797, 8, 8)
    # No image is in both parts; the same split every time.
    assert not {r.tobytes() for r in train_x[:200]} & {r.tobytes() for r in test_x}
    tasks.digits_split.cache_clear()
    np.testing.assert_array_equal(tasks.digits_split()[3], test_y)


def _numpy_first_loss(config):
    """Step 0's loss written out in float64 numpy from the initial weights and the batch."""
    prog = compiled.program(config.structure)
    nnx_state = prog.unflatten(prog.init(config))[0]
    model = nnx.merge(prog._graphdef, nnx_state)[0]
    p = linen_variables(model)["params"]
    w1, b1 = np.asarray(p["Dense_0"]["kernel"], np.float64), np.asarray(p["Dense_0"]["bias"], np.float64)
    g, beta = np.asarray(p["BatchNorm_0"]["scale"], np.float64), np.asarray(p["BatchNorm_0"]["bias"], np.float64)
    w2, b2 = np.asarray(p["Dense_1"]["kernel"], np.float64), np.asarray(p["Dense_1"]["bias"], np.float64)
    train_x, train_y, _, _ = tasks.digits_split()
    key = jax.random.fold_in(jax.random.fold_in(jax.random.key(config.seed), BATCH_STREAM), 0)
    drawn = batch_rows(config.batch_size)  # the rows the step draws; the mask keeps batch_size
    rows = np.asarray(jax.random.randint(key, (drawn,), 0, len(train_x)))[: config.batch_size]
    x, labels = train_x[rows].astype(np.float64), train_y[rows]
    h = x @ w1 + b1
    h = (h - h.mean(0)) / np.sqrt(h.var(0) + 1e-5) * g + beta
    logits = np.maximum(h, 0) @ w2 + b2
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    smoothing = 0.1 if config.label_smoothing else 0.0
    targets = np.eye(10)[labels] * (1 - smoothing) + smoothing / 10
    squares = sum(np.sum(a**2) for a in (w1, b1, g, beta, w2, b2))
    return np.mean(-(targets * log_p).sum(1)) + config.l2 * 0.5 * squares


@pytest.mark.parametrize("changes", [{}, {"batch_size": 17, "label_smoothing": False, "l2": 0.01, "seed": 5}])
def test_first_loss_matches_numpy(changes):
    config = DIGITS.with_changes(steps=1, **changes)
    metrics = runner.run(config).metrics
    expected = _numpy_first_loss(config)
    for p in ("linen", "nnx"):
        assert metrics[p]["loss"][0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    "changes", [{"optimizer": "sgd", "ema_decay": 0.99, "clip_norm": 1.0}, {"optimizer": "adam", "lr": 0.003}]
)
def test_linen_and_nnx_agree_without_dropout(changes):
    metrics = runner.run(DIGITS.with_changes(**changes)).metrics
    for name in metrics["nnx"]:
        np.testing.assert_allclose(metrics["linen"][name], metrics["nnx"][name], rtol=1e-5, atol=1e-6, err_msg=name)
    measured = np.isfinite(metrics["nnx"]["test_accuracy"])
    assert list(np.flatnonzero(measured)) == [k - 1 for k in range(EVAL_EVERY, 301, EVAL_EVERY)]
    assert metrics["nnx"]["loss"][-20:].mean() < 0.5 * metrics["nnx"]["loss"][0]


def test_dropout_is_deterministic_per_seed_and_changes_the_run():
    config = DIGITS.with_changes(dropout=0.3, steps=100)
    a, b = runner.run(config).metrics, runner.run(config).metrics
    np.testing.assert_array_equal(a["linen"]["loss"], b["linen"]["loss"])
    np.testing.assert_array_equal(a["nnx"]["loss"], b["nnx"]["loss"])
    other = runner.run(config.with_changes(seed=1)).metrics
    assert not np.array_equal(a["nnx"]["loss"], other["nnx"]["loss"])
    plain = runner.run(config.with_changes(dropout=0.0)).metrics
    assert not np.allclose(a["linen"]["loss"][1:], plain["linen"]["loss"][1:])


def test_values_never_recompile():
    base = DIGITS.with_changes(paradigm="nnx", ema_decay=0.99, clip_norm=1.0, steps=20)
    prog = compiled.program(base.structure)
    before = prog.traces.copy()
    runner.run(base)
    rng = np.random.default_rng(1)
    for _ in range(6):
        runner.run(
            base.with_changes(
                seed=int(rng.integers(0, 100)),
                lr=float(rng.uniform(0.01, 0.3)),
                ema_decay=float(rng.uniform(0.9, 0.999)),
                clip_norm=float(rng.uniform(0.1, 5)),
                l2=float(rng.uniform(0, 0.01)),
                batch_size=int(rng.integers(1, 257)),
                label_smoothing=bool(rng.integers(0, 2)),
                steps=int(rng.integers(1, 80)),
            )
        )
    assert prog.traces["chunk"] == max(before["chunk"], 1) and prog.traces["init"] == max(before["init"], 1)


def test_the_linen_step_splits_a_new_dropout_key_every_step():
    model = digits_nnx.MLP(0.5, nnx.Rngs(0))
    state = digits_linen.create_state(linen_variables(model), 0.5, optax.sgd(0.1), jax.random.key(1))
    train_x, train_y, _, _ = tasks.digits_split()
    batch = {"image": jnp.asarray(train_x[:32]), "label": jnp.asarray(train_y[:32]), "mask": jnp.ones(32, bool)}
    keys = [state.dropout_rng]
    for _ in range(3):
        state, _ = digits_linen.advanced_train_step(state, batch, 1e-4, 0.1)
        keys.append(state.dropout_rng)
    data = {jax.random.key_data(k).tobytes() for k in keys}
    assert len(data) == 4
    assert state.batch_stats["BatchNorm_0"]["mean"].any()  # the running statistics moved


def test_chunks_carry_the_grid_predictions():
    chunk = next(runner.stream(DIGITS.with_changes(steps=10)))
    for p in ("linen", "nnx"):
        predictions = chunk.shown[p]["predictions"]
        assert predictions.shape == (32,) and predictions.dtype.kind == "i"
        assert set(predictions) <= set(range(10))


def test_label_smoothing_says_the_targets_it_makes():
    from app.training.steps.digits_loss import smooth_labels

    targets = np.asarray(smooth_labels(np.array([3]), 0.1))[0]
    right, other = f"{targets[3]:.2g}", f"{targets[0]:.2g}"
    assert (right, other) == ("0.91", "0.01")
    assert f"{right} and {other}" in smooth_labels.__doc__


def test_a_step_computes_the_least_rows_that_hold_its_batch():
    rows = [batch_rows(b) for b in (1, 16, 17, 64, 65, 200, 256)]
    assert rows == [16, 16, 32, 64, 128, 256, 256]
    assert RunConfig(task="digits", batch_size=64).structure.batch_rows == 64
    assert (
        RunConfig(task="digits", batch_size=64).structure == RunConfig(task="digits", batch_size=50, seed=3).structure
    )
    assert RunConfig(batch_size=64).structure.batch_rows == 0  # the line fit draws no batches
