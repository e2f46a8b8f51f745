import jax


def train_step(state, x, y):
    def loss_fn(params):
        return ((state.apply_fn({"params": params}, x) - y) ** 2).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss
