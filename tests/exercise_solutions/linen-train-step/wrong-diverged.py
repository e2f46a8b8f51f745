import jax
import jax.numpy as jnp


def train_step(state, x, y):
    def loss_fn(params):
        return jnp.mean((state.apply_fn({"params": params}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    grads = jax.tree.map(lambda g: 1000.0 * g, grads)  # steps far past the stability edge
    return state.apply_gradients(grads=grads), loss
