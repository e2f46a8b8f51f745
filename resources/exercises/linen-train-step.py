"""The Linen step: a frozen TrainState in, a new TrainState out.

train_step(state, x, y) computes the mean squared error of
state.apply_fn({"params": params}, x) against y and its gradients with
respect to the parameters (jax.value_and_grad), then returns
(state.apply_gradients(grads=grads), loss): the NEW state and the loss.
"""

import jax
import jax.numpy as jnp


def train_step(state, x, y): ...  # your code: return (new_state, loss)
