"""Settings: a run (RunConfig) and how it is shown, and the one table of their fields.

The control panel's tooltips and ranges, the command line's flags, the pins' labels and the
checks on lessons and remembered settings all come from `FIELDS`: a setting added here
appears everywhere. No Qt, no JAX.
"""

from dataclasses import asdict, dataclass, field, replace

from app.model.config import (
    DROPOUT_RATES,
    MAX_BATCH,
    MAX_SEED,
    MAX_STEPS,
    OPTIMIZERS,
    PARADIGMS,
    TASKS,
    RunConfig,
    check_choice,
    is_real,
)
from app.model.pitfall_notes import PITFALLS

PACES = ("instant", "animate")
DEFAULT_RATE = 60
MAX_RATE = 500
MAX_SMOOTHING = 500


@dataclass(frozen=True)
class Field:
    """One setting: how it is named, explained, bounded and shown."""

    name: str  # the attribute of RunConfig or Settings
    label: str  # the control's label
    help: str  # tooltip and --help: one sentence, ending with a full stop
    flag: str | None = None  # the command-line flag, without the dashes
    window_range: tuple | None = None  # (low, high) the window's control offers
    choices: tuple | None = None  # the values a choice offers
    pin: str = "{}"  # how a pin's label names a value that differs between runs
    digits_only: bool = False
    decimals: int | None = None  # the decimals the window's spin box keeps (a number only)


RUN_FIELDS = (
    Field(
        "task",
        "Task",
        "Which problem the step trains on: a straight line through 64 noisy points, or 8x8 handwritten digits.",
        "task",
        choices=TASKS,
    ),
    Field(
        "paradigm",
        "Show",
        "Which version of the same step to run and plot: Flax Linen, Flax NNX, or both side by side.",
        "paradigm",
        choices=PARADIGMS,
    ),
    Field(
        "seed",
        "Seed",
        "The random seed: it draws the model's initial weights (the same for Linen and NNX) and, for digits, also "
        "each step's minibatch and dropout keys.",
        "seed",
        (0, MAX_SEED),
        pin="seed {}",
    ),
    Field(
        "lr",
        "Learning rate",
        "Learning rate: how far each update moves the weights along the gradient.",
        "lr",
        (1e-4, 10.0),
        pin="lr {}",
        decimals=7,
    ),
    Field(
        "steps",
        "Steps",
        "How many training steps to run: the line fit uses its same 64 points every step; digits draws a new "
        "minibatch every step.",
        "steps",
        (1, MAX_STEPS),
        pin="{:,} steps",
    ),
    Field(
        "optimizer",
        "Optimizer",
        "The update rule: plain SGD, SGD with momentum 0.9, or Adam.",
        "optimizer",
        choices=OPTIMIZERS,
    ),
    Field(
        "ema_decay",
        "Parameter EMA",
        "EMA decay: each step the averaged weights keep this share and take the rest from the new weights (the line "
        "fit plots their loss; digits measures their test accuracy).",
        "ema",
        (0.9, 0.9999),
        pin="EMA {}",
        decimals=4,
    ),
    Field(
        "clip_norm",
        "Clip gradients",
        "Max norm: gradients longer than this are shrunk to this length before the update.",
        "clip",
        (0.01, 100.0),
        pin="clip {}",
        decimals=2,
    ),
    Field(
        "pitfall",
        "Pitfall",
        "Run a classic mistake for real in one paradigm while the other runs the correct step (EMA off; "
        "forgotten-eval on the digits task, the others on the line fit).",
        "pitfall",
        choices=tuple(PITFALLS),
        pin="pitfall {}",
    ),
    Field(
        "batch_size",
        "Batch size",
        "How many training images each step averages its gradient over (drawn afresh every step).",
        "batch-size",
        (1, MAX_BATCH),
        pin="batch {}",
        digits_only=True,
    ),
    Field(
        "dropout",
        "Dropout",
        "The share of hidden units dropout zeroes at random in each training step (never when testing).",
        "dropout",
        choices=DROPOUT_RATES,
        pin="dropout {}",
        digits_only=True,
    ),
    Field(
        "label_smoothing",
        "Label smoothing",
        "Train towards 0.91 for the right class and 0.01 for the others (0.9 of a one-hot plus 0.1/10 for every "
        "class) instead of a hard 1 and 0.",
        "label-smoothing",
        pin="smoothing {}",
        digits_only=True,
    ),
    Field(
        "l2",
        "L2 weight",
        "L2 weight: how strongly the loss pulls every parameter towards zero (times 1/2 the sum of squares).",
        "l2",
        (0.0, 0.1),
        pin="L2 {}",
        digits_only=True,
        decimals=7,
    ),
)
"""Every RunConfig field, in the control panel's order."""

DISPLAY_FIELDS = (
    Field(
        "pace",
        "Mode",
        "Instant runs every step at full speed; Animate plays the steps at a pace a class can follow.",
        "pace",
        choices=PACES,
    ),
    Field("rate", "Speed", "Animation speed in steps per second.", "rate", window_range=(1, MAX_RATE)),
    Field(
        "smoothing",
        "Smoothing",
        "Draw each loss curve as the mean of its last N steps, the raw curve faded beneath (display only: training "
        "is unchanged).",
        "smoothing",
        window_range=(1, MAX_SMOOTHING),
    ),
    Field(
        "stop_at",
        "Stop at loss ≤",
        "Stop the run by itself as soon as the loss reaches this target.",
        "stop-at",
        window_range=(1e-8, 1e6),
        decimals=8,
    ),
    Field(
        "log_y",
        "Log-scale y",
        "Show loss and gradient norm on a logarithmic axis, so slow late progress stays visible.",
        "log-y",
    ),
    Field(
        "show_steps",
        "Steps shown",
        "The steps the plots show, from step 0: auto follows the loss while it still moves, so the action fills the "
        "axis.",
        "show-steps",
        window_range=(10, MAX_STEPS),
    ),
)
"""How the run is shown and paced: not part of the run itself."""

FIELDS = {f.name: f for f in RUN_FIELDS + DISPLAY_FIELDS}


@dataclass(frozen=True)
class Settings:
    """Everything the controls set: the run, and how it is paced and shown."""

    run: RunConfig = field(default_factory=RunConfig)
    pace: str = "instant"
    rate: int = DEFAULT_RATE
    smoothing: int = 1
    stop_at: float | None = None
    log_y: bool = False
    show_steps: int | None = None  # None: the x-axis follows the loss while it moves

    def __post_init__(self):
        check_choice("pace", self.pace, PACES)
        for name in ("rate", "smoothing"):
            value = getattr(self, name)
            low, high = FIELDS[name].window_range
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        if self.stop_at is not None:
            low, high = FIELDS["stop_at"].window_range
            if not is_real(self.stop_at) or not low <= self.stop_at <= high:
                raise ValueError(f"stop_at must be a number from {low:g} to {high:g}, not {self.stop_at!r}")
            if round(self.stop_at, FIELDS["stop_at"].decimals) != self.stop_at:
                raise ValueError(f"stop_at {self.stop_at!r} has more decimals than the window's control keeps")
        if not isinstance(self.log_y, bool):
            raise ValueError(f"log_y must be true or false, not {self.log_y!r}")
        if self.show_steps is not None:
            low, high = FIELDS["show_steps"].window_range
            if (
                not isinstance(self.show_steps, int)
                or isinstance(self.show_steps, bool)
                or not low <= self.show_steps <= high
            ):
                raise ValueError(f"show_steps must be a whole number from {low} to {high:,}, not {self.show_steps!r}")
        check_window_ranges(self.run)

    @property
    def steps_per_second(self) -> float:
        """The worker's pace: steps per second when animating, 0 when running flat out."""
        return float(self.rate) if self.pace == "animate" else 0.0

    def to_json(self) -> dict:
        """The settings a lesson step or the remembered file holds: what differs from the
        defaults, plus task, lr and steps always (a reader sees what the step is about)."""
        run_defaults, mine = asdict(RunConfig()), asdict(self.run)
        saved = {k: v for k, v in mine.items() if v != run_defaults[k] or k in ("task", "lr", "steps")}
        display_defaults = Settings()
        saved |= {k: getattr(self, k) for k in ("pace", "rate")}
        shown = [f.name for f in DISPLAY_FIELDS if f.name not in ("pace", "rate")]
        saved |= {k: getattr(self, k) for k in shown if getattr(self, k) != getattr(display_defaults, k)}
        return saved

    @classmethod
    def from_json(cls, saved) -> "Settings":
        """Settings from `to_json`'s form; ValueError (or TypeError) names the first bad entry.
        Anything left out takes its default."""
        if not isinstance(saved, dict):
            raise ValueError("settings must be an object of names and values")
        unknown = sorted(set(saved) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}")
        run = RunConfig(**{k: v for k, v in saved.items() if k in RUN_NAMES}).runnable()
        return cls(run, **{k: v for k, v in saved.items() if k not in RUN_NAMES})

    def with_changes(self, **changes) -> "Settings":
        """A validated copy with some fields changed, run and display fields alike."""
        run = {k: v for k, v in changes.items() if k in RUN_NAMES}
        shown = {k: v for k, v in changes.items() if k not in RUN_NAMES}
        return replace(self, run=replace(self.run, **run) if run else self.run, **shown)


RUN_NAMES = frozenset(f.name for f in RUN_FIELDS)


def check_window_ranges(config: RunConfig) -> None:
    """ValueError naming the first run setting outside what the window's controls offer: a
    lesson, a remembered setting or a flag for the window is refused, never clamped."""
    for f in RUN_FIELDS:
        value = getattr(config, f.name)
        if f.window_range and value is not None and not f.window_range[0] <= value <= f.window_range[1]:
            low, high = f.window_range
            raise ValueError(f"{f.name} {value!r} is outside the window's range, {low:g} to {high:g}")
        if f.decimals is not None and value is not None and round(value, f.decimals) != value:
            raise ValueError(f"{f.name} {value!r} has more decimals than the window's control keeps ({f.decimals})")


MOST_DIGITS = 7
"""The most significant digits a decimal setting is shown with, in its spin box and its pin."""


def significant(value: float, fewest: int = 1) -> str:
    """`value` in as few significant digits as give it back (at least `fewest`, at most
    MOST_DIGITS): 0.1, 1.046, 0.000123, as the spin boxes show it."""
    for digits in range(fewest, MOST_DIGITS + 1):
        text = f"{value:.{digits}g}"
        if float(text) == value:
            break
    return text


def pin_labels(configs: list[RunConfig]) -> list[str]:
    """Name each run by the settings in which the runs differ (the last is the current one),
    decimals in the digits their spin boxes show."""
    differing = [f for f in RUN_FIELDS if len({getattr(c, f.name) for c in configs}) > 1]
    return [", ".join(f.pin.format(_shown(getattr(c, f.name))) for f in differing) or "same settings" for c in configs]


def _shown(value):
    if value is None:
        return "off"  # EMA, clipping or a pitfall not chosen
    return significant(value) if isinstance(value, float) else value
