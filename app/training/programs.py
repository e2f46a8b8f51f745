"""Compiled programs: one per run structure, each a jitted `init` and a jitted `chunk`.

The step functions of `nnx_step` and `linen_step` run unchanged inside a `lax.fori_loop`
whose trip count is a traced value (a `lax.scan`'s length would be static: a compile per
step count). Seed, learning rate, EMA decay and max norm enter as traced data too, so every
run of one structure, whatever its values or step count, reuses one compiled program.
The carry crosses the jit boundary as a flat list of arrays: the cheapest call to dispatch.
"""

import threading
import time
from collections import Counter
from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from app.model import tasks
from app.model.config import RunConfig, Structure
from app.model.pitfall_notes import PITFALLS
from app.training.pitfall_adapters import ADAPTERS
from app.training.steps import linen_step, nnx_step
from app.training.steps.optimizers import make_tx

CAPACITY = 32768
"""The most steps one chunk can hold (long chunks spread the cost of a call thin)."""
PROBE_STEPS = 16
"""Steps timed once compiled (after one untimed call of as many), so a first chunk is sized to its
work (a digits step costs hundreds of line-fit steps). The call's own cost makes it an overestimate:
a first chunk errs short, and the chunks that follow correct it."""


class Program:
    """The compiled init and chunk of one structure; `traces` counts how often each compiled.

    `compile` may be called from any thread: the run's, or the one compiling ahead.
    """

    def __init__(self, structure: Structure):
        self.structure = structure
        self.traces = Counter()
        # Copied as they are (float32, int32): `jnp.asarray` would first compile a small
        # program for each array, at every launch.
        self.data = tuple(jax.device_put(a) for a in self._data())
        self.metric_names = self._metric_names()
        example = self.hyperparameters(RunConfig(task=structure.task, ema_decay=0.9, clip_norm=1.0))
        self._graphdef, _, self._treedef, _ = self._split(nnx.eval_shape(lambda: self._build(example)))
        self._carry_treedef = jax.tree.structure(jax.eval_shape(self._carry, example))
        adapter = ADAPTERS.get(structure.pitfall)
        self._pitfall_step = {PITFALLS[structure.pitfall].paradigm: adapter.step} if adapter and adapter.step else {}
        self._init = jax.jit(self._init_fn)
        self._chunk = jax.jit(self._chunk_fn)
        self.seconds_per_step = None  # measured once compiled, then the fastest of every chunk's
        self.compiled = False
        self.inspector = None  # the step inspector's compiled step (`step_inspector`), once asked for
        self.compiling = threading.Lock()  # held while this program, or its inspector, compiles

    def _data(self):
        return tasks.line_fit_batch()

    param_names = ("kernel", "bias")
    """The model's parameters, in the order it holds them."""
    layer_names: ClassVar[dict[str, str]] = {}
    """Linen's layer names that differ from the NNX model's, mapped to those: the step
    inspector shows one name for both."""

    def _metric_names(self):
        """Per step: the loss, the gradient norm, and the weights the loss was computed with
        (before the step's update): the loss landscape draws their path."""
        names = ("loss", "grad_norm", "kernel", "bias")
        return names + (("ema_loss", "ema_kernel", "ema_bias") if self.structure.ema else ())

    def returned_metrics(self) -> tuple[str, ...]:
        """The names in the metrics dict the step functions return (the program adds the rest)."""
        return ("loss", "grad_norm") + (("ema_loss",) if self.structure.ema else ())

    def hyperparameters(self, config: RunConfig) -> dict[str, np.ndarray]:
        """The run's values that are data to the compiled program (features that are off get 0)."""
        return {
            "seed": np.array(config.seed, np.uint32),
            "lr": np.array(config.lr, np.float32),
            "ema_decay": np.array(config.ema_decay or 0.0, np.float32),
            "max_norm": np.array(config.clip_norm or 0.0, np.float32),
        }

    def compile(self, config: RunConfig) -> float:
        """Compile `init` and `chunk` unless done; returns the seconds this call waited for it.

        A call while another thread compiles waits for that compile instead of doing it twice.
        """
        if self.compiled:
            return 0.0
        t0 = time.perf_counter()
        with self.compiling:
            if not self.compiled:
                carry = self.init(config)
                self.chunk(carry, 1)
                self.chunk(carry, PROBE_STEPS)  # a first call of a new program costs more
                probe = time.perf_counter()
                self.chunk(carry, PROBE_STEPS)
                self.seconds_per_step = (time.perf_counter() - probe) / PROBE_STEPS
                self.compiled = True
        return time.perf_counter() - t0

    def init(self, config: RunConfig):
        """The run's starting state on the device (seeded model, fresh optimizer, EMA copy)."""
        return self._init(self.hyperparameters(config))

    def chunk(self, carry, steps: int):
        """Run `steps` steps (at most CAPACITY) from `carry`.

        Returns (carry, metrics, shown): `metrics[paradigm][name]` holds `steps` values and
        `shown[paradigm]` what the model view shows after the last step (the line's `kernel`
        and `bias`), all numpy, read from the device in one transfer.
        """
        carry, table, shown = self._chunk(carry, *self.data, np.int32(steps))
        table, shown = jax.device_get((table, shown))
        metrics = {p: {} for p in self.structure.paradigms}
        for column, (p, k) in enumerate(self._columns()):
            metrics[p][k] = table[:steps, column]
        return carry, metrics, shown

    def unflatten(self, carry_leaves):
        """The structured carry `step` takes, from the flat leaves `init` and `chunk` pass around."""
        return jax.tree.unflatten(self._carry_treedef, carry_leaves)

    def _build(self, hyper):
        s = self.structure
        tx = self.tx(hyper)
        x, y = self.data
        trainee = nnx_step.create(nnx.Rngs(jax.random.key(hyper["seed"])), x.shape[-1], y.shape[-1], tx, s.ema)
        linen_state = None
        if "linen" in s.paradigms:
            # One seed drives both: Linen starts from the NNX model's initial weights.
            params = {"kernel": trainee.model.kernel[...], "bias": trainee.model.bias[...]}
            linen_state = linen_step.create_state(params, y.shape[-1], tx, ema=s.ema)
        return (trainee if "nnx" in s.paradigms else None), linen_state

    def tx(self, hyper):
        """The structure's optax transform with this run's values."""
        return make_tx(self.structure.optimizer, hyper["lr"], hyper["max_norm"] if self.structure.clip else None)

    @staticmethod
    def _split(built):
        trainee, linen_state = built
        graphdef, nnx_state = nnx.split(trainee) if trainee is not None else (None, None)
        leaves, treedef = jax.tree.flatten(linen_state)
        return graphdef, nnx_state, treedef, leaves

    def _carry(self, hyper):
        _, nnx_state, _, leaves = self._split(self._build(hyper))
        return nnx_state, leaves, hyper

    def start(self, hyper):
        """The structured starting carry of `hyper`, traceable (the sweep vmaps it)."""
        return self._carry(hyper)

    def _init_fn(self, hyper):
        self.traces["init"] += 1
        return jax.tree.leaves(self._carry(hyper))

    def step(self, carry, x, y, watch=None):
        """One training step of every paradigm in the structure, on pure state.

        `watch(paradigm, tx)`, if given, returns the transform that paradigm's step is to use
        in place of its own (the step inspector passes one that records what goes through it).
        """
        before = self._weights(carry)
        nnx_state, leaves, hyper = carry
        ema = self.structure.ema

        def nnx_turn(t):
            if ema:
                return t, nnx_step.train_step_with_ema(t.model, t.optimizer, t.ema_model, x, y, hyper["ema_decay"])
            if "nnx" in self._pitfall_step:
                tx = self.tx(hyper)
                return self._pitfall_step["nnx"](t, x, y, watch("nnx", tx) if watch else tx)
            return t, nnx_step.train_step(t.model, t.optimizer, x, y)

        def linen_turn(state):
            if ema:
                return linen_step.train_step_with_ema(state, x, y, hyper["ema_decay"])
            if "linen" in self._pitfall_step:
                return self._pitfall_step["linen"](state, x, y, self.tx(hyper))
            return linen_step.train_step(state, x, y)

        nnx_state, leaves, metrics = self.each_paradigm(nnx_state, leaves, watch, nnx_turn, linen_turn)
        return (nnx_state, leaves, hyper), {p: m | before[p] for p, m in metrics.items()}

    def each_paradigm(self, nnx_state, leaves, watch, nnx_turn, linen_turn):
        """One turn of each paradigm the structure runs, on pure state: NNX's model and
        optimizer merged from `nnx_state` and handed to `nnx_turn(trainee)`, Linen's TrainState
        rebuilt from `leaves` and handed to `linen_turn(state)` (each with its transform
        watched, if `watch`); each turn returns what it holds after, and its metrics."""
        metrics = {}
        if nnx_state is not None:
            t = nnx.merge(self._graphdef, nnx_state)
            if watch is not None:
                t.optimizer.tx = watch("nnx", t.optimizer.tx)
            t, metrics["nnx"] = nnx_turn(t)
            nnx_state = nnx.state(t)
        if leaves:
            state = jax.tree.unflatten(self._treedef, leaves)
            if watch is not None:
                state = state.replace(tx=watch("linen", state.tx))
            state, metrics["linen"] = linen_turn(state)
            leaves = jax.tree.leaves(state)
        return nnx_state, leaves, metrics

    def _chunk_fn(self, carry_leaves, *data_and_steps):
        self.traces["chunk"] += 1
        *data, steps = data_and_steps
        columns = self._columns()
        # One row of every metric per step: a single in-place write per step is measurably
        # cheaper inside the loop than one write per metric.
        table = jnp.full((CAPACITY, len(columns)), jnp.nan, jnp.float32)

        def body(i, loop):
            carry, table = loop
            carry, metrics = self.step(carry, *data)
            row = jnp.stack([metrics[p][k] for p, k in columns])
            return carry, jax.lax.dynamic_update_slice(table, row[None].astype(table.dtype), (i, 0))

        carry, table = jax.lax.fori_loop(0, steps, body, (self.unflatten(carry_leaves), table))
        return jax.tree.leaves(carry), table, self._shown(carry)

    def _columns(self):
        return [(p, k) for p in self.structure.paradigms for k in self.metric_names]

    def _weights(self, carry):
        """The line's kernel and bias per paradigm, as numbers (and its EMA copy's, as
        ema_kernel and ema_bias)."""
        nnx_state, leaves, _ = carry
        ema = self.structure.ema
        held = {}
        if nnx_state is not None:
            held["nnx"] = {"": nnx_state["model"]} | ({"ema_": nnx_state["ema_model"]} if ema else {})
        if leaves:
            state = jax.tree.unflatten(self._treedef, leaves)
            held["linen"] = {"": state.params} | ({"ema_": state.ema_params} if ema else {})
        return {
            p: {
                prefix + name: layer[name][...].reshape(())
                for prefix, layer in layers.items()
                for name in self.param_names
            }
            for p, layers in held.items()
        }

    def held(self, carry):
        """Per paradigm, what its state holds that the step inspector shows, by row: the line's
        'params' and 'EMA params', each its kernel and bias."""
        held = {}
        for p, w in self._weights(carry).items():
            held[p] = {"params": {n: w[n] for n in self.param_names}}
            if self.structure.ema:
                held[p]["EMA params"] = {n: w["ema_" + n] for n in self.param_names}
        return held

    def inputs(self, carry, x, y):
        """What a step takes besides the state, by row: the line fit's batch, all its points."""
        return {"batch": {"x": x[:, 0], "y": y[:, 0]}}

    def _shown(self, carry):
        """The line's weights after the chunk, per paradigm, shaped as the layer holds them
        (kernel (1, 1), bias (1,)): what the fit view draws."""
        return {
            p: {"kernel": w["kernel"].reshape(1, 1), "bias": w["bias"].reshape(1)}
            for p, w in self._weights(carry).items()
        }
