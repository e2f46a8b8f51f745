"""Streams a run as chunks of per-step metrics (plain numpy), compiled, cancellable between chunks."""

import math
import time
from collections.abc import Callable, Iterator

import numpy as np

from app.model.config import RunConfig
from app.model.engine_answers import Chunk
from app.model.pitfall_notes import PITFALLS
from app.model.run_record import RunRecord
from app.training.compiled import program
from app.training.pitfall_adapters import ADAPTERS
from app.training.programs import CAPACITY
from app.training.step_inspector import inspect_step

FRAME_SECONDS = 1 / 60
"""How much work one chunk aims at when running flat out: the GUI stays fed at 60 Hz."""

HEADLESS_SECONDS = 0.25
"""How much work one chunk aims at when nothing is drawn: chunks up to CAPACITY steps, so the
per-chunk cost is spread thin, and a stop still acts within a quarter of a second."""


UNMEASURED_STEPS = 64
"""A chunk's steps before the time per step is known."""


def chunk_steps(seconds_per_step: float | None, target: float = FRAME_SECONDS) -> int:
    """Steps per chunk (or sweep piece) for ~`target` seconds of work: the nearest power of two
    (each length is a compile of its own), at most CAPACITY; UNMEASURED_STEPS before anything is
    measured."""
    if not seconds_per_step:
        return UNMEASURED_STEPS
    steps = 2 ** round(math.log2(max(target / seconds_per_step, 1)))
    return min(steps, CAPACITY)


def needs_compile(config: RunConfig) -> bool:
    """Whether a run of this config compiles (or waits for a compile) first: its structure is new."""
    return bool(config.compiled_paradigms) and not program(config.structure).compiled


class Run:
    """One run in progress on the device, advanced a chunk at a time by whoever paces it.

    `errors` holds, per paradigm, what a pitfall that fails at once raised (it runs no steps);
    `compile_seconds` how long the run waited for its program to compile (0 if it was ready).
    """

    def __init__(self, config: RunConfig, chunk_seconds: float = FRAME_SECONDS, stop_at: float | None = None):
        """`chunk_seconds`: the work one chunk aims at (see `chunk_steps`); `stop_at`: a loss at
        which the run ends by itself. ValueError for settings that cannot run together (see
        `RunConfig.problem`)."""
        self.config = config.runnable()
        self.chunk_seconds = chunk_seconds
        self.stop_at = stop_at
        self.reached: dict[str, int] = {}
        self.errors: dict[str, str] = {}
        note = PITFALLS.get(config.pitfall)
        if note and note.raises and note.paradigm in config.paradigms:
            self.errors[note.paradigm] = ADAPTERS[config.pitfall].fails(config)
        self._program = program(config.structure) if config.compiled_paradigms else None
        self.compile_seconds = self._program.compile(config) if self._program else 0.0
        self._carry = self._program.init(config) if self._program else None
        self.step = 0
        self.diverged_at: dict[str, int] = {}
        self._last_chunk = None  # (the carry it started from, its steps): the last step's own start

    @property
    def finished(self) -> bool:
        """All steps done, the target reached, or every paradigm diverged (or none runs steps)."""
        return (
            self.step >= self.config.steps
            or bool(self.reached)
            or len(self.diverged_at) == len(self.config.compiled_paradigms)
        )

    def advance(self, max_steps: int | None = None) -> Chunk:
        """Run the next chunk: about `chunk_seconds` of work, at most `max_steps`, never past the end."""
        prog = self._program
        want = min(
            self.config.steps - self.step, chunk_steps(prog.seconds_per_step, self.chunk_seconds), max_steps or CAPACITY
        )
        start = self._carry
        t0 = time.perf_counter()
        self._carry, metrics, shown = prog.chunk(self._carry, want)
        self._last_chunk = (start, want)
        seconds = time.perf_counter() - t0
        # The fastest seen, by any chunk: a chunk's time per step can only overstate a step's
        # cost (it holds the call's own), and a figure measured on a busy machine (at start-up,
        # say) would split every later short run in two (two hops, two draws) for nothing.
        prog.seconds_per_step = min(prog.seconds_per_step or math.inf, seconds / want)
        for paradigm, m in metrics.items():
            if paradigm in self.diverged_at:
                metrics[paradigm] = {k: v[:0] for k, v in m.items()}
                continue
            bad = np.flatnonzero(~np.isfinite(m["loss"]))
            if bad.size:
                self.diverged_at[paradigm] = self.step + int(bad[0])
                metrics[paradigm] = {k: v[: bad[0] + 1] for k, v in m.items()}
                # The chunk's weights are past the divergence: the view gets those the diverging
                # step started from, re-run from the chunk's start (inputs are never donated).
                shown[paradigm] = prog.chunk(start, int(bad[0]))[2][paradigm]
        if self.stop_at is not None:
            for paradigm, m in metrics.items():
                at = np.flatnonzero(m["loss"] <= self.stop_at)
                if at.size:
                    self.reached[paradigm] = self.step + int(at[0])
        chunk = Chunk(
            self.step,
            self.step + want,
            metrics,
            shown,
            dict(self.diverged_at),
            self.config.steps,
            seconds,
            dict(self.reached),
        )
        self.step += want
        return chunk

    def inspect_last(self):
        """The last step taken, from the inside (`step_inspector.Inspection`); None before the
        first step."""
        if self._last_chunk is None:
            return None
        start, steps = self._last_chunk
        first, last = self.step - steps, self.step - 1
        if self.finished and len(self.diverged_at) == len(self.config.compiled_paradigms):
            last = min(last, max(self.diverged_at.values()))  # the run stopped at that step
        # Every step is the same compiled step however a run is cut: re-running the chunk up to
        # the step gives, to the bit, the state that step started from.
        before = start if last == first else self._program.chunk(start, last - first)[0]
        return inspect_step(self.config, before, last, self.diverged_at)


def stream(
    config: RunConfig,
    should_stop: Callable[[], bool] = lambda: False,
    max_chunk_steps: int | None = None,
) -> Iterator[Chunk]:
    """Yield the run's chunks until its last step, divergence of every paradigm, or `should_stop()`.

    `max_chunk_steps` caps a chunk; by default chunks are sized to about one 60 Hz frame of work.
    """
    yield from _chunks(Run(config), should_stop, max_chunk_steps)


def _chunks(run, should_stop, max_chunk_steps=None):
    while not run.finished and not should_stop():
        yield run.advance(max_chunk_steps)


def run(config: RunConfig, should_stop: Callable[[], bool] = lambda: False) -> RunRecord:
    """Run to the end (or until `should_stop()`) and gather every chunk into a RunRecord.

    Nothing is drawn meanwhile: chunks are long (HEADLESS_SECONDS)."""
    active = Run(config, HEADLESS_SECONDS)
    record = RunRecord(config, active.errors, active.compile_seconds)
    for chunk in _chunks(active, should_stop):
        record.append(chunk)
    return record
