"""The learning-rate sweep: many whole runs, vectorised, computed in pieces.

`jax.vmap` maps the run (init, then every step in a `lax.fori_loop`) over a group of learning
rates; everything else about the run is the current settings. A piece advances one group by
a chunk of steps sized to about PIECE_SECONDS of work, so a sweep can be cancelled between
pieces and its points fill in group by group. One paradigm is swept (NNX, or Linen when only
Linen runs steps): the two agree to float precision.
"""

import functools
import time

import jax
import numpy as np

from app.model.config import RunConfig
from app.model.engine_answers import Sweep
from app.model.pitfall_notes import PITFALLS
from app.model.stability import stability_edge
from app.training.compiled import program
from app.training.runner import chunk_steps

SWEEP_POINTS = 64
SWEEP_MIN, SWEEP_MAX = 1e-4, 10.0
GROUP = 16
"""Learning rates vmapped together: one compile per structure, whatever the number of points
(16 ran a digits sweep faster here than 8, 32 or 64 did)."""
PIECE_SECONDS = 0.05
"""The work of one piece: a cancel waits for at most about this long (a compile excepted)."""


def learning_rates(points: int = SWEEP_POINTS) -> np.ndarray:
    return np.logspace(np.log10(SWEEP_MIN), np.log10(SWEEP_MAX), points).astype(np.float32)


def swept_config(config: RunConfig) -> RunConfig:
    """The one paradigm a sweep runs: a correct one if one runs steps (NNX first), else the
    faulty one with its pitfall."""
    note = PITFALLS.get(config.pitfall)
    running = config.compiled_paradigms
    correct = [p for p in ("nnx", "linen") if p in running and not (note and note.paradigm == p)]
    if correct:
        return config.with_changes(paradigm=correct[0], pitfall=None)
    return config.with_changes(paradigm=running[0])


class SweepRun:
    """A sweep in progress, advanced a piece at a time by whoever paces it."""

    def __init__(self, config: RunConfig, points: int = SWEEP_POINTS):
        if not 2 <= points <= 1024:
            raise ValueError(f"sweep needs from 2 to 1024 learning rates, not {points}")
        self.config = config.runnable()
        self.single = swept_config(config)
        self.lrs = learning_rates(points)
        self.final_loss = np.full(points, np.nan, np.float32)
        # The edge is the correct step's: a pitfall's step (a rebuilt optimizer) has its own.
        clipped = config.clip_norm is not None
        self.edge = None if self.single.pitfall else stability_edge(config.task, config.optimizer, clipped)
        self.done = 0  # learning rates finished
        self._start, self._advance = _compiled(self.single.structure)
        prog = program(self.single.structure)
        self._hyper = prog.hyperparameters(self.single)
        self._group = None  # the vmapped state of the group in progress
        self._group_step = 0
        self._seconds_per_step = None

    @property
    def finished(self) -> bool:
        return self.done >= len(self.lrs)

    @property
    def progress(self) -> float:
        """The share of all the sweep's steps done, 0 to 1."""
        steps = self.done * self.config.steps + self._group_step * min(GROUP, len(self.lrs) - self.done)
        return steps / (len(self.lrs) * self.config.steps)

    def result(self) -> Sweep:
        return Sweep(self.single.paradigm, self.lrs, self.final_loss.copy(), self.edge, self.done)

    def advance(self) -> Sweep:
        """Run the next piece: about PIECE_SECONDS of work (the first one compiles first)."""
        if self._group is None:
            group_lrs = self.lrs[self.done : self.done + GROUP]
            padded = np.resize(group_lrs, GROUP)  # the last group repeats rates to its full width
            batched = {k: np.repeat(v[None], GROUP, axis=0) for k, v in self._hyper.items()} | {"lr": padded}
            self._group = self._start(batched)
            self._group_step = 0
        want = min(self.config.steps - self._group_step, chunk_steps(self._seconds_per_step, PIECE_SECONDS))
        t0 = time.perf_counter()
        self._group = self._advance(self._group, np.int32(want))
        losses = np.asarray(self._group[1])  # waits for the piece: its time is measured
        self._seconds_per_step = (time.perf_counter() - t0) / want  # a compile's piece: the next is short
        self._group_step += want
        if self._group_step >= self.config.steps:
            count = min(GROUP, len(self.lrs) - self.done)
            self.final_loss[self.done : self.done + count] = losses[:count]
            self.done += count
            self._group = None
            self._group_step = 0
        return self.result()


def sweep(config: RunConfig, points: int = SWEEP_POINTS) -> Sweep:
    """Run `config` once per learning rate of a log-spaced grid, to the end."""
    run = SweepRun(config, points)
    while not run.finished:
        run.advance()
    return run.result()


@functools.cache
def _compiled(structure):
    """The compiled, vmapped start and advance of one structure (the step count is data)."""
    prog = program(structure)
    (paradigm,) = structure.paradigms

    def start(hyper):
        return prog.start(hyper), np.float32(np.nan)

    def advance(state, steps):
        def body(_, loop):
            carry, _loss = loop
            carry, metrics = prog.step(carry, *prog.data)
            return carry, metrics[paradigm]["loss"]

        return jax.lax.fori_loop(0, steps, body, state)

    return jax.jit(jax.vmap(start)), jax.jit(jax.vmap(advance, in_axes=(0, None)))
