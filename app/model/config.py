"""RunConfig: everything that defines a run, validated once, with messages a student can act on.

Imports no JAX: the window builds configs before JAX is loaded.
"""

import math
from dataclasses import dataclass, replace

from app.model.pitfall_notes import PITFALLS, pitfall_problem

TASKS = ("line", "digits")
OPTIMIZERS = ("sgd", "momentum", "adam")
MOMENTUM = 0.9  # the "momentum" optimizer's beta
PARADIGMS = ("nnx", "linen", "both")
NAMES = {"linen": "Linen", "nnx": "NNX"}
"""Each paradigm as the window names it, in display order."""
MAX_STEPS = 1_000_000
MAX_SEED = 2**31 - 1
MAX_BATCH = 256
BATCH_ROWS = (16, 32, 64, 128, MAX_BATCH)
"""A digits step computes the least of these many rows that holds its batch, masked down to the
batch: a step costs about its batch, and five sizes at most compile."""
DROPOUT_RATES = (0.0, 0.1, 0.2, 0.3, 0.5)
REAL_MIN, REAL_MAX = 1e-30, 1e6
"""Learning rates and max norms the float32 step can use: past these they under- or overflow."""


@dataclass(frozen=True)
class Structure:
    """What decides the compiled program. Runs that differ only in values share one compile."""

    task: str
    paradigms: tuple[str, ...]
    optimizer: str
    ema: bool
    clip: bool
    dropout: float = 0.0  # a rate is part of the model's structure (digits only)
    pitfall: str | None = None
    batch_rows: int = 0  # the rows a digits step computes (see BATCH_ROWS); 0 for the line fit


def batch_rows(batch_size: int) -> int:
    """The rows a digits step of `batch_size` computes: the least of BATCH_ROWS that holds it."""
    return next(rows for rows in BATCH_ROWS if rows >= batch_size)


@dataclass(frozen=True)
class RunConfig:
    """One run. `ema_decay` or `clip_norm` set to None turns that feature off."""

    task: str = "line"
    paradigm: str = "both"
    seed: int = 0
    lr: float = 0.1
    steps: int = 1000
    optimizer: str = "sgd"
    ema_decay: float | None = None
    clip_norm: float | None = None
    # The digits task's own settings (the line fit ignores them).
    batch_size: int = 64
    dropout: float = 0.1
    label_smoothing: bool = True
    l2: float = 1e-4
    pitfall: str | None = None  # a classic mistake run for real (see pitfall_notes)

    def __post_init__(self):
        check_choice("task", self.task, TASKS)
        check_choice("paradigm", self.paradigm, PARADIGMS)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        if not _is_int(self.seed) or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, not {self.seed!r}")
        if not _is_int(self.steps) or not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, not {self.steps!r}")
        if not is_real(self.lr) or not REAL_MIN <= self.lr <= REAL_MAX:
            raise ValueError(f"lr (learning rate) must be a number from {REAL_MIN:g} to {REAL_MAX:g}, not {self.lr!r}")
        if self.ema_decay is not None and not (is_real(self.ema_decay) and 0 < self.ema_decay < 1):
            raise ValueError(f"ema_decay must be a number between 0 and 1 (exclusive), not {self.ema_decay!r}")
        if self.clip_norm is not None and not (is_real(self.clip_norm) and REAL_MIN <= self.clip_norm <= REAL_MAX):
            raise ValueError(
                "clip_norm (max gradient norm) must be a number "
                f"from {REAL_MIN:g} to {REAL_MAX:g}, not {self.clip_norm!r}"
            )
        if not _is_int(self.batch_size) or not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be a whole number from 1 to {MAX_BATCH}, not {self.batch_size!r}")
        check_choice("dropout", self.dropout, DROPOUT_RATES)
        if not isinstance(self.label_smoothing, bool):
            raise ValueError(f"label_smoothing must be True or False, not {self.label_smoothing!r}")
        if not is_real(self.l2) or not 0 <= self.l2 <= 1:
            raise ValueError(f"l2 (weight decay) must be a number from 0 to 1, not {self.l2!r}")
        if self.pitfall is not None:
            check_choice("pitfall", self.pitfall, tuple(PITFALLS))

    @property
    def problem(self) -> str | None:
        """Why these settings, each valid alone, cannot run together (None: they can). The
        window holds such settings and says why; whatever runs them refuses them."""
        return pitfall_problem(self) if self.pitfall is not None else None

    def runnable(self) -> "RunConfig":
        """These settings, or ValueError saying why they cannot run."""
        if self.problem:
            raise ValueError(self.problem)
        return self

    @property
    def paradigms(self) -> tuple[str, ...]:
        """The paradigms this run trains, in display order."""
        return ("linen", "nnx") if self.paradigm == "both" else (self.paradigm,)

    @property
    def structure(self) -> Structure:
        digits = self.task == "digits"
        return Structure(
            self.task,
            self.compiled_paradigms,
            self.optimizer,
            self.ema_decay is not None,
            self.clip_norm is not None,
            self.dropout if digits else 0.0,
            self.pitfall,
            batch_rows(self.batch_size) if digits else 0,
        )

    @property
    def compiled_paradigms(self) -> tuple[str, ...]:
        """The paradigms that run steps: a pitfall that raises at once leaves its paradigm out."""
        note = PITFALLS.get(self.pitfall)
        return tuple(p for p in self.paradigms if not (note and note.raises and p == note.paradigm))

    def with_changes(self, **changes) -> "RunConfig":
        """A validated copy with some fields changed."""
        return replace(self, **changes)


def check_choice(name, value, choices):
    """ValueError naming the setting and its choices, unless `value` is one of them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}, not {value!r}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_real(value) -> bool:
    """A finite int or float (an int too large for a float is not)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
