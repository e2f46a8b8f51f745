import jax.numpy as jnp
from flax import nnx


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y.T) ** 2)  # y transposed: (1, N) against (N, 1) broadcasts, (2, N) fails


def train_step(model, optimizer, x, y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)
    return loss
