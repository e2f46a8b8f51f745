import jax.numpy as jnp
import optax
from flax import nnx


def loss_fn(model, x, y):
    return jnp.mean((model(x) - y) ** 2)


def train_step(model, optimizer, x, y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)
    return loss


def train_step_loss(seed, x, y, lr, num_steps):
    model = nnx.Linear(x.shape[-1], y.shape[-1], rngs=nnx.Rngs(int(seed)))
    optimizer = nnx.Optimizer(model, optax.sgd(lr))  # as written before Flax 0.11
    losses = [train_step(model, optimizer, x, y) for _ in range(int(num_steps))]
    return jnp.array([losses[0], losses[-1]])
