"""The digits task's compiled program: minibatches, periodic evaluation, both paradigms.

L2 weight and label smoothing are data like the learning rate. A batch is drawn with a seeded
key as the structure's `batch_rows` rows (16, 32, 64, 128 or 256: the least that holds the
batch), and a mask keeps the first `batch_size` (BatchNorm statistics, loss and accuracy all
respect it): a step costs about its batch, and a batch size within the same rows does not
recompile.
"""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from app.training import digits_linen, digits_nnx, tasks
from app.training.config import RunConfig
from app.training.programs import Program

EVAL_EVERY = 50
"""Test accuracy is measured every this many steps, and after the last step."""
SMOOTHING = 0.1
BATCH_STREAM, DROPOUT_STREAM = 1, 2  # keys folded from the seed, apart from the init key


class DigitsProgram(Program):
    def _data(self):
        return tasks.digits_split()

    def _metric_names(self):
        return ("loss", "accuracy", "grad_norm", "test_accuracy") + (
            ("ema_test_accuracy",) if self.structure.ema else ()
        )

    def hyperparameters(self, config: RunConfig) -> dict[str, np.ndarray]:
        return super().hyperparameters(config) | {
            "batch_size": np.array(config.batch_size, np.int32),
            "l2": np.array(config.l2, np.float32),
            "smoothing": np.array(SMOOTHING if config.label_smoothing else 0.0, np.float32),
            "steps": np.array(config.steps, np.int32),
        }

    def _build(self, hyper):
        s = self.structure
        tx = self.tx(hyper)
        key = jax.random.key(hyper["seed"])
        dropout_key = jax.random.fold_in(key, DROPOUT_STREAM)
        trainee = digits_nnx.create(nnx.Rngs(params=key, dropout=dropout_key), s.dropout, tx, s.ema)
        linen_state = None
        if "linen" in s.paradigms:
            linen_state = digits_linen.create_state(linen_variables(trainee.model), s.dropout, tx, dropout_key, s.ema)
        return (trainee if "nnx" in s.paradigms else None), linen_state

    def _carry(self, hyper):
        return (*super()._carry(hyper), jnp.zeros((), jnp.int32))

    def step(self, carry, train_x, train_y, test_x, test_y):
        """One step of every paradigm on the same minibatch; test accuracy when due."""
        nnx_state, leaves, hyper, i = carry
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(hyper["seed"]), BATCH_STREAM), i)
        size = self.structure.batch_rows
        rows = jax.random.randint(key, (size,), 0, len(train_x))
        batch = {
            "image": train_x[rows],
            "label": train_y[rows],
            "mask": jnp.arange(size) < hyper["batch_size"],
        }
        values = (hyper["l2"], hyper["smoothing"])
        due = ((i + 1) % EVAL_EVERY == 0) | (i + 1 == hyper["steps"])
        ema = self.structure.ema
        metrics = {}
        if nnx_state is not None:
            t = nnx.merge(self._graphdef, nnx_state)
            if ema:
                metrics["nnx"] = digits_nnx.train_step_with_ema(t.model, t.optimizer, t.ema_model, batch, *values, hyper["ema_decay"])
            else:
                metrics["nnx"] = digits_nnx.train_step(t.model, t.optimizer, batch, *values)
            nnx_state = nnx.state(t)
            metrics["nnx"] |= jax.lax.cond(due, self._nnx_accuracy, self._not_measured, nnx_state, test_x, test_y)
        if leaves:
            state = jax.tree.unflatten(self._treedef, leaves)
            if ema:
                state, metrics["linen"] = digits_linen.advanced_train_step_with_ema(
                    state, batch, *values, hyper["ema_decay"]
                )
            else:
                state, metrics["linen"] = digits_linen.advanced_train_step(state, batch, *values)
            leaves = jax.tree.leaves(state)
            metrics["linen"] |= jax.lax.cond(due, self._linen_accuracy, self._not_measured, leaves, test_x, test_y)
        return (nnx_state, leaves, hyper, i + 1), metrics

    def _nnx_accuracy(self, nnx_state, x, y):
        trainee = nnx.merge(self._graphdef, nnx_state)
        result = {"test_accuracy": jnp.mean(digits_nnx.predict(trainee.model, x) == y)}
        if self.structure.ema:
            result["ema_test_accuracy"] = jnp.mean(digits_nnx.predict(trainee.ema_model, x) == y)
        return result

    def _linen_accuracy(self, leaves, x, y):
        state = jax.tree.unflatten(self._treedef, leaves)
        result = {"test_accuracy": jnp.mean(digits_linen.predict(state, x, state.params) == y)}
        if self.structure.ema:
            result["ema_test_accuracy"] = jnp.mean(digits_linen.predict(state, x, state.ema_params) == y)
        return result

    def _not_measured(self, _state, _x, _y):
        names = ("test_accuracy", "ema_test_accuracy") if self.structure.ema else ("test_accuracy",)
        return {name: jnp.float32(jnp.nan) for name in names}

    def _shown(self, carry):
        """The predicted labels of the first DIGITS_GRID test digits, per paradigm."""
        nnx_state, leaves, _, _ = carry
        images = self.data[2][: tasks.DIGITS_GRID]
        shown = {}
        if nnx_state is not None:
            shown["nnx"] = {"predictions": digits_nnx.predict(nnx.merge(self._graphdef, nnx_state).model, images)}
        if leaves:
            state = jax.tree.unflatten(self._treedef, leaves)
            shown["linen"] = {"predictions": digits_linen.predict(state, images, state.params)}
        return shown


def linen_variables(model: digits_nnx.MLP) -> dict:
    """The NNX model's weights and statistics under Linen's names: one seed drives both."""
    return {
        "params": {
            "Dense_0": {"kernel": model.hidden.kernel[...], "bias": model.hidden.bias[...]},
            "BatchNorm_0": {"scale": model.norm.scale[...], "bias": model.norm.bias[...]},
            "Dense_1": {"kernel": model.out.kernel[...], "bias": model.out.bias[...]},
        },
        "batch_stats": {"BatchNorm_0": {"mean": model.norm.mean[...], "var": model.norm.var[...]}},
    }
