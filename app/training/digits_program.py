"""The digits task's compiled program: minibatches, periodic evaluation, both paradigms.

L2 weight and label smoothing are data like the learning rate. A batch is drawn with a seeded
key as the structure's `batch_rows` rows (16, 32, 64, 128 or 256: the least that holds the
batch), and a mask keeps the first `batch_size` (BatchNorm statistics, loss and accuracy all
respect it): a step costs about its batch, and a batch size within the same rows does not
recompile.
"""

from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from app.model import tasks
from app.model.config import RunConfig
from app.training.programs import Program
from app.training.steps import digits_linen, digits_nnx, pitfalls
from app.training.steps.digits_loss import smooth_labels

EVAL_EVERY = 50
"""Test accuracy is measured every this many steps, and after the last step."""
SMOOTHING = 0.1
BATCH_STREAM, DROPOUT_STREAM = 1, 2  # keys folded from the seed, apart from the init key


PARAMS = (
    ("hidden", "kernel"),
    ("hidden", "bias"),
    ("norm", "scale"),
    ("norm", "bias"),
    ("out", "kernel"),
    ("out", "bias"),
)
"""The model's parameters, (layer, name), as the NNX model names them."""
LINEN_LAYERS = {"hidden": "Dense_0", "norm": "BatchNorm_0", "out": "Dense_1"}
"""What the Linen model calls each of the NNX model's layers (`nn.compact` numbers them)."""


class DigitsProgram(Program):
    """The digits program; with the forgotten eval mode, NNX predicts with the pitfall's code.

    An evaluation never changes the state it evaluates: the compiled program keeps only the
    accuracy and the labels it computes.
    """

    param_names = tuple(f"{layer}/{name}" for layer, name in PARAMS)
    layer_names: ClassVar[dict[str, str]] = {linen: nnx_name for nnx_name, linen in LINEN_LAYERS.items()}

    def _data(self):
        return tasks.digits_split()

    def _nnx_predict(self, model, images):
        if self.structure.pitfall == "forgotten-eval":
            return pitfalls.forgotten_eval(model, images)
        return digits_nnx.predict(model, images)

    def _metric_names(self):
        return ("loss", "accuracy", "grad_norm", "test_accuracy") + (
            ("ema_test_accuracy",) if self.structure.ema else ()
        )

    def returned_metrics(self):
        return ("loss", "accuracy", "grad_norm")

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

    def batch(self, hyper, i, train_x, train_y):
        """Step `i`'s minibatch: `batch_rows` rows drawn with the seed's batch key, the first
        `batch_size` of them real (`mask`)."""
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(hyper["seed"]), BATCH_STREAM), i)
        size = self.structure.batch_rows
        rows = jax.random.randint(key, (size,), 0, len(train_x))
        return {
            "image": train_x[rows],
            "label": train_y[rows],
            "mask": jnp.arange(size) < hyper["batch_size"],
        }

    def step(self, carry, train_x, train_y, test_x, test_y, watch=None):
        """One step of every paradigm on the same minibatch; test accuracy when due.

        `watch` as in `Program.step`: the step inspector's way to record what the transform sees.
        """
        nnx_state, leaves, hyper, i = carry
        batch = self.batch(hyper, i, train_x, train_y)
        values = (hyper["l2"], hyper["smoothing"])
        due = ((i + 1) % EVAL_EVERY == 0) | (i + 1 == hyper["steps"])
        ema = self.structure.ema

        def nnx_turn(t):
            if ema:
                return t, digits_nnx.train_step_with_ema(
                    t.model, t.optimizer, t.ema_model, batch, *values, hyper["ema_decay"]
                )
            return t, digits_nnx.train_step(t.model, t.optimizer, batch, *values)

        def linen_turn(state):
            if ema:
                return digits_linen.advanced_train_step_with_ema(state, batch, *values, hyper["ema_decay"])
            return digits_linen.advanced_train_step(state, batch, *values)

        nnx_state, leaves, metrics = self.each_paradigm(nnx_state, leaves, watch, nnx_turn, linen_turn)
        if nnx_state is not None:
            metrics["nnx"] |= jax.lax.cond(due, self._nnx_accuracy, self._not_measured, nnx_state, test_x, test_y)
        if leaves:
            metrics["linen"] |= jax.lax.cond(due, self._linen_accuracy, self._not_measured, leaves, test_x, test_y)
        return (nnx_state, leaves, hyper, i + 1), metrics

    def held(self, carry):
        """Per paradigm, what its state holds that the step inspector shows, by row: params
        and EMA params (named as the NNX model names its layers), BatchNorm's running
        statistics (`batch_stats`), and the dropout key (NNX's stream: its key and how many
        it has drawn)."""
        nnx_state, leaves, _, _ = carry
        held = {}
        if nnx_state is not None:
            t = nnx.merge(self._graphdef, nnx_state)
            model, stream = t.model, t.model.dropout.rngs
            held["nnx"] = {
                "params": _params(model),
                "batch_stats": {"mean": model.norm.mean[...], "var": model.norm.var[...]},
                "dropout key": {"key": jax.random.key_data(stream.key[...]), "count": stream.count[...]},
            }
            if t.ema_model is not None:
                held["nnx"]["EMA params"] = _params(t.ema_model)
        if leaves:
            state = jax.tree.unflatten(self._treedef, leaves)
            held["linen"] = {
                "params": _linen_params(state.params),
                "batch_stats": dict(state.batch_stats[LINEN_LAYERS["norm"]]),
                "dropout key": {"key": jax.random.key_data(state.dropout_rng)},
            }
            if state.ema_params is not None:
                held["linen"]["EMA params"] = _linen_params(state.ema_params)
        return held

    def inputs(self, carry, train_x, train_y, test_x, test_y):
        """What a step takes besides the state, by row: its minibatch (`mask` marks the real
        rows) and the smoothed targets its loss compares the logits with."""
        _, _, hyper, i = carry
        batch = self.batch(hyper, i, train_x, train_y)
        return {
            "batch": {"images": batch["image"], "labels": batch["label"], "mask": batch["mask"]},
            "smoothed targets": {"targets": smooth_labels(batch["label"], hyper["smoothing"])},
        }

    def _nnx_accuracy(self, nnx_state, x, y):
        trainee = nnx.merge(self._graphdef, nnx_state)
        result = {"test_accuracy": jnp.mean(self._nnx_predict(trainee.model, x) == y)}
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
            shown["nnx"] = {"predictions": self._nnx_predict(nnx.merge(self._graphdef, nnx_state).model, images)}
        if leaves:
            state = jax.tree.unflatten(self._treedef, leaves)
            shown["linen"] = {"predictions": digits_linen.predict(state, images, state.params)}
        return shown


def _params(model) -> dict:
    """An NNX model's parameters, named 'layer/name' as in PARAMS."""
    return {f"{layer}/{name}": getattr(getattr(model, layer), name)[...] for layer, name in PARAMS}


def _linen_params(params: dict) -> dict:
    """A Linen params dict under the NNX model's names, as `_params` gives them."""
    return {f"{layer}/{name}": params[LINEN_LAYERS[layer]][name] for layer, name in PARAMS}


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
