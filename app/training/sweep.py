"""The learning-rate sweep: many whole runs in one vectorised, compiled call.

`jax.vmap` maps the run (init, then every step in a `lax.fori_loop`) over the learning
rate; everything else about the run is the current settings. One paradigm is swept (NNX,
or Linen when only Linen runs): the two agree to float precision.
"""

import functools
from dataclasses import dataclass

import jax
import numpy as np

from app.training.config import RunConfig
from app.training.programs import program
from app.training.stability import stability_edge

SWEEP_POINTS = 64
SWEEP_MIN, SWEEP_MAX = 1e-4, 10.0


@dataclass(frozen=True)
class Sweep:
    """Final loss per learning rate (inf or nan where the run diverged), and the edge if any."""

    paradigm: str
    lrs: np.ndarray
    final_loss: np.ndarray
    edge: float | None


def learning_rates(points: int = SWEEP_POINTS) -> np.ndarray:
    return np.logspace(np.log10(SWEEP_MIN), np.log10(SWEEP_MAX), points).astype(np.float32)


def sweep(config: RunConfig, points: int = SWEEP_POINTS) -> Sweep:
    """Run `config` once per learning rate of a log-spaced grid, all in one call."""
    paradigm = "nnx" if "nnx" in config.compiled_paradigms else "linen"
    single = config.with_changes(paradigm=paradigm)
    prog = program(single.structure)
    lrs = learning_rates(points)
    hyper = prog.hyperparameters(single)
    batched = {k: np.repeat(v[None], points, axis=0) for k, v in hyper.items()} | {"lr": lrs}
    final = np.asarray(_vectorised(single.structure)(batched, np.int32(config.steps)))
    return Sweep(paradigm, lrs, final, stability_edge(config.task, config.optimizer, config.clip_norm is not None))


@functools.cache
def _vectorised(structure):
    """The compiled, vmapped run of one structure (the step count is data)."""
    prog = program(structure)
    (paradigm,) = structure.paradigms

    def one_run(hyper, steps):
        carry = prog.start(hyper)

        def body(_, loop):
            carry, _loss = loop
            carry, metrics = prog.step(carry, *prog.data)
            return carry, metrics[paradigm]["loss"]

        return jax.lax.fori_loop(0, steps, body, (carry, np.float32(np.nan)))[1]

    return jax.jit(jax.vmap(one_run, in_axes=(0, None)))
