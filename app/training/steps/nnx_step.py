"""The NNX train step: the model and the optimizer change in place.

There is no new state to hand back, so the step returns only its metrics;
the next call simply sees the updated parameters.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from flax import nnx


class Trainee(NamedTuple):
    """What a run trains: the model, its optimizer, the EMA copy (or None)."""

    model: nnx.Module
    optimizer: nnx.Optimizer
    ema_model: nnx.Module | None = None


def create(rngs, in_features, out_features, tx, ema=False):
    """The model and its optimizer (`wrt` names what it trains).

    With EMA, also a copy of the model whose weights trail the model's.
    """
    model = nnx.Linear(in_features, out_features, rngs=rngs)
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    ema_model = nnx.clone(model) if ema else None
    return Trainee(model, optimizer, ema_model)


def loss_fn(model, x, y):
    """Mean squared error; the model, first, is what gets differentiated."""
    return jnp.mean((model(x) - y) ** 2)


def train_step(model, optimizer, x, y):
    """Forward, loss, backward, update."""
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)  # writes the new weights into `model`
    grad_norm = optax.tree.norm(grads)  # the norm before any clipping
    return {"loss": loss, "grad_norm": grad_norm}


def train_loop(model, optimizer, x, y, num_steps):
    """The loop as you would write it: `nnx.jit` compiles the step once,
    then each call runs it compiled. The app runs this same `train_step`
    compiled inside a `jax.lax.fori_loop`, in chunks streamed to the plot.
    """
    step = nnx.jit(train_step)
    losses = []
    for _ in range(num_steps):
        metrics = step(model, optimizer, x, y)  # model changes in place
        losses.append(metrics["loss"])
    return losses


def update_ema(ema_model, model, decay):
    """Parameter EMA: each EMA weight moves (1 - decay) towards the model's.

    Not `optax.ema`: that one averages the *updates* (a momentum).
    """
    ema_params = nnx.state(ema_model, nnx.Param)
    params = nnx.state(model, nnx.Param)
    new_ema = jax.tree.map(
        lambda e, p: decay * e + (1 - decay) * p, ema_params, params
    )
    nnx.update(ema_model, new_ema)


def train_step_with_ema(model, optimizer, ema_model, x, y, decay):
    """The same step, plus the EMA weights' loss on this batch and update."""
    ema_loss = loss_fn(ema_model, x, y)
    metrics = train_step(model, optimizer, x, y)
    update_ema(ema_model, model, decay)
    return metrics | {"ema_loss": ema_loss}
