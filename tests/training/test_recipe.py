"""train_step_loss keeps the seed's contract and equals its plain, un-jitted loop."""

import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from app.model import tasks
from app.training import train_step_loss


def seed_plain_loop(seed, x, y, lr, num_steps):
    """The seed's six steps, written out independently and run eagerly."""
    model = nnx.Linear(x.shape[-1], y.shape[-1], rngs=nnx.Rngs(int(seed)))
    optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)

    def loss_fn(model, x, y):
        return jnp.mean((model(x) - y) ** 2)

    def train_step(model, optimizer, x, y):
        loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
        optimizer.update(model, grads)
        return loss

    losses = [float(train_step(model, optimizer, x, y)) for _ in range(int(num_steps))]
    return np.array([losses[0], losses[-1]])


@pytest.mark.parametrize(
    "n,d_in,d_out,seed,lr,steps",
    [(64, 1, 1, 0.0, 0.1, 12.0), (16, 3, 2, 5.9, 0.05, 9.7), (7, 8, 3, 42.0, 0.2, 1.0)],
)
def test_equals_the_seeds_plain_loop(n, d_in, d_out, seed, lr, steps):
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, d_in)).astype(np.float32)
    y = rng.normal(size=(n, d_out)).astype(np.float32)
    got = train_step_loss(seed, x, y, lr, steps)
    assert isinstance(got, jnp.ndarray) and got.shape == (2,) and got.ndim == 1
    np.testing.assert_allclose(np.asarray(got), seed_plain_loop(seed, x, y, lr, steps), rtol=1e-5)


def test_one_step_has_equal_first_and_final_loss():
    x, y = tasks.line_fit_batch()
    first, final = np.asarray(train_step_loss(3, x, y, 0.1, 1))
    assert first == final


def test_a_sane_learning_rate_learns_the_line():
    x, y = tasks.line_fit_batch()
    first, final = np.asarray(train_step_loss(0, x, y, 0.1, 500))
    assert final < 0.05 * first
    noise_floor = np.var(y - (2.0 * x - 0.5))
    assert final == pytest.approx(noise_floor, rel=0.3)


GOOD = {"seed": 0, "x": np.ones((4, 2)), "y": np.ones((4, 1)), "lr": 0.1, "num_steps": 3}


@pytest.mark.parametrize(
    "changes,name",
    [
        ({"x": np.ones(4)}, "x"),
        ({"x": np.ones((4, 2, 1))}, "x"),
        ({"y": np.ones(4)}, "y"),
        ({"y": np.ones((5, 1))}, "as many rows"),
        ({"x": np.full((4, 2), np.nan)}, "x"),
        ({"y": np.array([[1.0], [np.inf], [0.0], [1.0]])}, "y"),
        ({"x": np.ones((0, 2)), "y": np.ones((0, 1))}, "x"),
        ({"lr": 0.0}, "lr"),
        ({"lr": -1.0}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": float("inf")}, "lr"),
        ({"num_steps": 0.9}, "num_steps"),
        ({"num_steps": -3}, "num_steps"),
    ],
)
def test_bad_input_raises_naming_the_argument(changes, name):
    with pytest.raises(ValueError, match=name):
        train_step_loss(**(GOOD | changes))


def test_new_values_reuse_one_compile_per_shape():
    from app.training.steps import recipe

    x, y = tasks.line_fit_batch()
    train_step_loss(0, x, y, 0.1, 10)
    traced = recipe.TRACES[x.shape, y.shape]
    for seed, lr, steps in ((1, 0.05, 7), (123, 0.3, 40), (5.5, 1e-3, 1.9)):
        got = train_step_loss(seed, x, y, lr, steps)
        np.testing.assert_allclose(np.asarray(got), seed_plain_loop(seed, x, y, lr, steps), rtol=1e-5)
    assert recipe.TRACES[x.shape, y.shape] == traced == 1
    train_step_loss(0, x[:10], y[:10], 0.1, 3)
    assert recipe.TRACES[(10, 1), (10, 1)] == 1
