"""The seed recipe's contract: `train_step_loss(seed, x, y, lr, num_steps)`.

It builds the model and optimizer exactly as the recipe does and runs the
recipe's `train_step` (from `nnx_step`) `num_steps` times on the same batch,
compiled into one `lax.fori_loop` instead of a Python loop. The seed's key,
the learning rate and the step count are data to that compiled loop, so one
compile per shape of (x, y) serves every call.
"""

import functools
import math
from collections import Counter

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from app.training.steps import nnx_step

TRACES = Counter()
"""How often the contract's loop was traced, per input shape (for tests)."""


def train_step_loss(seed, x, y, lr, num_steps) -> jax.Array:
    """Train `nnx.Linear` with SGD on (x, y).

    Returns `[loss at step 0, loss at the last step]`.

    Args:
        seed: model seed (cast to int).
        x: inputs, 2-D (N, D_in).
        y: targets, 2-D (N, D_out).
        lr: SGD learning rate, finite and > 0.
        num_steps: steps to run (cast to int), at least 1.

    Raises:
        ValueError: naming the argument that is wrong.
    """
    x, y, lr, num_steps = _validated(x, y, lr, num_steps)
    # What nnx.Rngs(int(seed)) does, outside the compiled loop:
    key = jax.random.key(int(seed))
    return _first_and_last_loss(x.shape, y.shape)(
        key, x, y, np.float32(lr), np.int32(num_steps)
    )


@functools.cache
def _first_and_last_loss(x_shape, y_shape):
    """The compiled recipe for one shape of (x, y).

    The key, the learning rate and the step count are traced: data, not code.
    """

    @jax.jit
    def first_and_last(key, x, y, lr, num_steps):
        TRACES[x_shape, y_shape] += 1
        model = nnx.Linear(x.shape[-1], y.shape[-1], rngs=nnx.Rngs(key))
        optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)
        graphdef, state = nnx.split((model, optimizer))

        def body(i, loop):
            state, first, _last = loop
            model, optimizer = nnx.merge(graphdef, state)
            loss = nnx_step.train_step(model, optimizer, x, y)["loss"]
            return (
                nnx.state((model, optimizer)),
                jnp.where(i == 0, loss, first),
                loss,
            )

        nan = jnp.float32(jnp.nan)
        _, first, last = jax.lax.fori_loop(
            0, num_steps, body, (state, nan, nan)
        )
        return jnp.array([first, last])

    return first_and_last


def _validated(x, y, lr, num_steps):
    x = _matrix("x", x)
    y = _matrix("y", y)
    if x.shape[0] != y.shape[0]:
        rows = f"{x.shape[0]} and {y.shape[0]}"
        raise ValueError(f"x and y must have as many rows, got {rows}")
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"lr must be a number, got {lr!r}") from None
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    try:
        steps = int(num_steps)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            f"num_steps must be a number, got {num_steps!r}"
        ) from None
    if steps < 1:
        raise ValueError(
            f"num_steps must be at least 1 after int(), got {num_steps!r}"
        )
    return x, y, lr, steps


def _matrix(name, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 2-D array of numbers") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (N, D), got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has non-finite values (NaN or inf)")
    return array
