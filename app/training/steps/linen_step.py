"""The Linen train step: a frozen TrainState in, a new TrainState out.

The caller must rebind it every step: `state, metrics = train_step(...)`.
Drop the `state =` and the new parameters are thrown away: training
silently does nothing.
"""

from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn
from flax.training import train_state


class EMATrainState(train_state.TrainState):
    """Flax's TrainState plus a trailing average of the parameters."""

    ema_params: Any = None

    def apply_ema(self, decay):
        """ema <- decay * ema + (1 - decay) * params, as a NEW state."""
        new_ema = jax.tree.map(
            lambda e, p: decay * e + (1 - decay) * p,
            self.ema_params,
            self.params,
        )
        return self.replace(ema_params=new_ema)


def create_state(params, out_features, tx, ema=False):
    """The model is `nn.Dense`; its parameters live in the state."""
    model = nn.Dense(out_features)
    return EMATrainState.create(
        apply_fn=model.apply,
        params=params,
        tx=tx,
        ema_params=params if ema else None,
    )


def loss_fn(params, apply_fn, x, y):
    """Mean squared error of the model with these `params`."""
    preds = apply_fn({"params": params}, x)
    return jnp.mean((preds - y) ** 2)


def train_step(state, x, y):
    """Forward, loss, backward, update: returns a NEW state and metrics."""
    loss, grads = jax.value_and_grad(loss_fn)(
        state.params, state.apply_fn, x, y
    )
    state = state.apply_gradients(grads=grads)  # the old state is unchanged
    grad_norm = optax.tree.norm(grads)  # the norm before any clipping
    return state, {"loss": loss, "grad_norm": grad_norm}


def train_loop(state, x, y, num_steps):
    """The loop as you would write it: `jax.jit` compiles the step once,
    then each call runs it compiled. The app runs this same `train_step`
    compiled inside a `jax.lax.fori_loop`, in chunks streamed to the plot.
    """
    step = jax.jit(train_step)
    losses = []
    for _ in range(num_steps):
        state, metrics = step(state, x, y)  # rebind: the new state
        losses.append(metrics["loss"])
    return state, losses


def train_step_with_ema(state, x, y, decay):
    """The same step, plus the EMA weights' loss on this batch and update."""
    ema_loss = loss_fn(state.ema_params, state.apply_fn, x, y)
    state, metrics = train_step(state, x, y)
    state = state.apply_ema(decay)
    return state, metrics | {"ema_loss": ema_loss}
