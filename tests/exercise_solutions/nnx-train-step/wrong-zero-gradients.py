import jax.numpy as jnp
from flax import nnx


def train_step(model, optimizer, x, y):
    def loss_fn(m):
        return jnp.mean((model(x) - y) ** 2)  # the outer `model`, not `m`

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)
