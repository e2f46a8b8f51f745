import subprocess
import threading
import time

import jax


def train_step(state, x, y):
    def loss_fn(params):
        return ((state.apply_fn({"params": params}, x) - y) ** 2).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


helper = subprocess.Popen(["sleep", "100"])  # holds the pipes open after the answer
threading.Thread(target=time.sleep, args=(100,)).start()  # and a thread that never ends soon
