import jax
import jax.numpy as jnp


def train_step(state, x, y):
    def loss_fn(params):
        return jnp.mean((state.apply_fn({"params": state.params}, x) - y) ** 2)  # not `params`

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss
