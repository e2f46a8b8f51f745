"""The NNX step: loss_fn and train_step.

loss_fn(model, x, y) returns the mean squared error of model(x) against y.
train_step(model, optimizer, x, y) takes one step: the loss and its
gradients with respect to the model (nnx.value_and_grad), then
optimizer.update(model, grads), which changes the model in place. It returns
the loss.
"""

import jax.numpy as jnp
from flax import nnx


def loss_fn(model, x, y): ...  # your code


def train_step(model, optimizer, x, y): ...  # your code
