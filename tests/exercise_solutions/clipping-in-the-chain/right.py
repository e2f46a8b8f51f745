import jax
import jax.numpy as jnp
import optax


def make_tx(learning_rate, max_norm):
    return optax.chain(optax.clip_by_global_norm(max_norm), optax.sgd(learning_rate, momentum=0.9))


def loss_fn(params, apply_fn, x, y):
    return jnp.mean((apply_fn({"params": params}, x) - y) ** 2)


def train_step(state, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(state.params, state.apply_fn, x, y)
    return state.apply_gradients(grads=grads), loss
