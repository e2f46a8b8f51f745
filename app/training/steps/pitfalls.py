"""The classic mistakes, each a small real variant of a step or of the loop.

Each is run for real beside the correct paradigm; the line marked `# BUG` is
the mistake. What goes wrong, and the fix, is in `pitfall_notes.PITFALLS`.
"""

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from app.training.steps.linen_step import loss_fn, train_step
from app.training.steps.nnx_step import train_step as nnx_train_step


def forgotten_rebind(state, x, y):
    """Linen: one turn of a training loop that never rebinds `state`."""
    _, metrics = train_step(state, x, y)  # BUG: `state` is not rebound
    return state, metrics


def optimizer_in_loop(model, tx, x, y):
    """NNX: one turn of a loop that builds its optimizer inside the loop."""
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)  # BUG: a fresh state
    return nnx_train_step(model, optimizer, x, y)


def clip_update_misuse(state, x, y):
    """Linen: clipping outside the chain, as "Custom Training Loops" does."""
    grads = jax.grad(loss_fn)(state.params, state.apply_fn, x, y)
    grads = optax.clip_by_global_norm(1.0).update(grads, state)  # BUG
    return state.apply_gradients(grads=grads)


def missing_wrt(model, tx):
    """NNX: the optimizer as written before Flax 0.11."""
    return nnx.Optimizer(model, tx)  # BUG: `wrt=nnx.Param` is missing


def outer_scope_train_step(model, optimizer, x, y):
    """NNX: a loss function that captures `model` instead of taking it."""

    def loss_fn(m):
        return jnp.mean((model(x) - y) ** 2)  # BUG: `model`, not `m`

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return {"loss": loss, "grad_norm": optax.tree.norm(grads)}


def forgotten_eval(model, images):
    """NNX digits: predictions from the model as it trains. (In your loop it
    would also draw dropout keys and fold the test images into BatchNorm's
    running averages; the app runs it on a copy, so training is unchanged.)"""
    return jnp.argmax(model(images), -1)  # BUG: not the nnx.view for eval
