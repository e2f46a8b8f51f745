"""Pins: runs kept to compare the next ones with, drawn as faded ghosts in the loss plot and,
for the line fit, in the landscape. Each is named by what differs between the pins and the
run shown."""

from dataclasses import dataclass

import numpy as np

from app.model.config import RunConfig
from app.model.settings import pin_labels

MAX_PINS = 8
"""Pinning one more drops the oldest."""


@dataclass(frozen=True, eq=False)
class Pin:
    """A run's loss curve (NNX's, or Linen's when it ran alone) and, for the line fit, the path
    its weights took: copies, so the pin outlives its run."""

    config: RunConfig
    steps: np.ndarray
    loss: np.ndarray
    path: tuple[np.ndarray, np.ndarray] | None


def pin_of(record) -> Pin | None:
    """What pinning `record` keeps; None before its first step."""
    paradigm = next((p for p in ("nnx", "linen") if record.steps_done(p)), None)
    if paradigm is None:
        return None
    steps, loss = (a.copy() for a in record.curve(paradigm))
    path = tuple(a.copy() for a in record.path(paradigm)) if record.config.task == "line" else None
    return Pin(record.config, steps, loss, path)


def with_pin(pins: tuple[Pin, ...], pin: Pin) -> tuple[Pin, ...]:
    """`pins` and `pin`, the oldest dropped beyond MAX_PINS; `pins` as they are if a pin of the
    same settings is there already (two ghosts of one run would read as two runs)."""
    if any(p.config == pin.config for p in pins):
        return pins
    return (*pins, pin)[-MAX_PINS:]


def labels(pins: tuple[Pin, ...], current: RunConfig) -> tuple[list[str], str]:
    """Each pin's legend label and the current run's, by the settings in which they differ."""
    names = pin_labels([p.config for p in pins] + [current])
    return [f"pin: {name}" for name in names[:-1]], f"now: {names[-1]}"
