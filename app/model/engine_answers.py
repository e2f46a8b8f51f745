"""What the training engine sends back, plain numpy: a run's chunks, a step seen from the inside,
a learning-rate sweep. Free of JAX, so the window reads them from an engine in a process of its
own without loading JAX itself."""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Chunk:
    """Steps `start` .. `end - 1` of a run.

    `metrics[paradigm][name]` are float arrays. A paradigm whose loss went non-finite stops
    there: its arrays end with the first non-finite step, which `diverged_at` names.
    `shown[paradigm]` holds what the model view shows after the chunk's last step: the line
    fit's weights `{"kernel", "bias"}`, or the digits' `{"predictions"}` for the first test
    digits. For a paradigm that diverged in this chunk, the line fit's weights are those its
    diverging step started from, the last finite ones it had. `reached` names, per paradigm,
    the first step whose loss reached the run's target (`Run.stop_at`): the run ends with the
    chunk that reached it.
    """

    start: int
    end: int
    metrics: dict[str, dict[str, np.ndarray]]
    shown: dict[str, dict[str, np.ndarray]]
    diverged_at: dict[str, int]
    total_steps: int
    seconds: float
    reached: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Inspection:
    """Step `step` of a run, per paradigm: named values, plain numpy, in the listing's order.

    `values[paradigm]` maps a name of `ROWS` to a dict of named arrays (the line's kernel and
    bias, the digits model's 'hidden/kernel', an optimizer state's 'mu/out/bias'; one-number
    arrays as scalars); `facts[paradigm]` says what became of the state object.
    """

    step: int
    values: dict[str, dict[str, dict[str, np.ndarray]]]
    facts: dict[str, str]

    @property
    def rows(self) -> list[str]:
        """The names either paradigm shows, in the order a step's listing computes them: each
        paradigm's rows keep its own order where the two differ (a pitfall's thrown-away state)."""
        shown = {name for values in self.values.values() for name in values}
        return [name for name in ROWS if name in shown]


ROWS = (
    "batch",
    "params before",
    "batch_stats before",
    "dropout key before",
    "smoothed targets",
    "loss",
    "gradients",
    "gradient norm",
    "clipped gradients",
    "opt_state before",
    "update applied",
    "update thrown away",
    "opt_state after",
    "opt_state thrown away",
    "params after",
    "batch_stats after",
    "dropout key after",
    "metrics",
    "EMA params before",
    "EMA params after",
)
"""What the inspector shows, in the order a step's listing computes it (a task shows those its
step has: the line fit has no BatchNorm, dropout or smoothed targets)."""


@dataclass(frozen=True)
class Sweep:
    """Final loss per learning rate (inf or nan where the run diverged, nan where not yet run),
    and the stability edge if the settings have one."""

    paradigm: str
    lrs: np.ndarray
    final_loss: np.ndarray
    edge: float | None
    done: int
    """How many learning rates, from the first, have finished."""
