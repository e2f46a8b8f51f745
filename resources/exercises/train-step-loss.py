"""The seed recipe's Problem: implement train_step_loss(seed, x, y, lr, num_steps).

1. model = nnx.Linear(x.shape[-1], y.shape[-1], rngs=nnx.Rngs(int(seed)))
2. optimizer = nnx.Optimizer(model, optax.sgd(lr), wrt=nnx.Param)
3. loss_fn(model, x, y): the mean of (model(x) - y) ** 2
4. train_step(model, optimizer, x, y): nnx.value_and_grad(loss_fn), then
   optimizer.update; it returns the loss
5. Call train_step int(num_steps) times on the same (x, y)
6. Return jnp.array([loss at step 0, loss at the last step])
"""

import jax.numpy as jnp
import optax
from flax import nnx


def loss_fn(model, x, y): ...  # your code: the mean squared error


def train_step(model, optimizer, x, y): ...  # your code: forward, loss, backward, update; return the loss


def train_step_loss(
    seed, x, y, lr, num_steps
): ...  # your code: build the model and the optimizer, loop, return the two losses
