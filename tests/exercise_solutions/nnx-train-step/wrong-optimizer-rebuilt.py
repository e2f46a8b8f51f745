import jax.numpy as jnp
from flax import nnx


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


def train_step(model, optimizer, x, y):
    optimizer = nnx.Optimizer(model, optimizer.tx, wrt=nnx.Param)  # a fresh state every step
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)
    return loss
