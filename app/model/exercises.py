"""Exercises: a student writes a step, and hidden cases check it against the app's own.

An exercise is a JSON file in `resources/exercises/` (or anywhere), beside its starter file:

    {"title": "...", "task": "...", "starter": "nnx-train-step.py", "grader": "nnx",
     "cases": [{"seed": 0, "rows": 32, "lr": 0.1, "steps": 20, "optimizer": "momentum"}, ...],
     "tolerance": {"rtol": 1e-5, "atol": 1e-6},
     "hints": {"zero-gradients": "...", ...}}

`grader` names the contract the student's file keeps and the reference it is checked against
(see GRADERS); each case is the data and settings of one run (see CASE_FIELDS); `hints` are
said beside the diagnoses (see DIAGNOSES) the grader can make. The file holds data and text,
never code that runs: loading checks every field, and a bad file is refused whole with a
message naming the file and the problem.
"""

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from app.model.data_files import named_file, resource
from app.model.files import NotAFile, TooLarge, read_bounded

MAX_FILE_BYTES = 1_000_000
EXERCISES_DIR = resource("exercises")
GRADERS = {
    "recipe": "train_step_loss(seed, x, y, lr, num_steps) returns [loss at step 0, loss at the last step]",
    "nnx": "loss_fn(model, x, y) and train_step(model, optimizer, x, y), which returns the loss",
    "linen": "train_step(state, x, y), which returns (state, loss)",
    "clip": "make_tx(learning_rate, max_norm) and train_step(state, x, y), which returns (state, loss)",
    "ema": "update_ema(ema_model, model, decay), which moves the EMA copy's weights",
    "digits": "train_step(state, images, labels), which returns (state, loss)",
}
"""Each grader's contract: what the student's file defines."""
OPTIMIZERS = ("sgd", "momentum", "adam")
CASE_FIELDS = {
    "seed": (int, 0, 2**31 - 1),
    "rows": (int, 1, 4096),
    "inputs": (int, 1, 64),
    "outputs": (int, 1, 16),
    "steps": (int, 1, 2000),
    "lr": (float, 1e-6, 100.0),
    "max_norm": (float, 1e-6, 1e6),
    "decay": (float, 0.0, 0.9999),
    "dropout": (float, 0.0, 0.9),
}
"""A case's numeric fields, their type and range (an `optimizer` names one of OPTIMIZERS)."""
NEEDS = {"clip": ("max_norm",), "ema": ("decay",)}
"""The case fields a grader cannot run without."""
DIAGNOSES = {
    "dropped-update": "The weights never change: the update is never applied. An NNX step calls "
    "optimizer.update(model, grads); a Linen step returns the new state apply_gradients makes.",
    "zero-gradients": "Every gradient is exactly zero, so the update changes nothing: the loss is computed "
    "from a model captured from the outer scope, not from the argument being differentiated.",
    "optimizer-rebuilt": "Your curve is that of an optimizer started afresh every step: it is built inside "
    "the step or the loop, so momentum's velocity or Adam's moments start over each time. Build it once.",
    "wrt-missing": "nnx.Optimizer needs wrt=nnx.Param since Flax 0.11: it names the variables it trains.",
    "clip-outside-chain": "Clipping is called outside the optimizer's chain: clip_by_global_norm(...).update "
    "returns (updates, state), not gradients. Put it in the chain: optax.chain(optax.clip_by_global_norm(m), tx).",
    "no-clipping": "Your curve is the unclipped step's: the gradients reach the optimizer without clipping.",
    "constant-factor": "Your loss is the reference's times a constant: a sum where the mean belongs (or a "
    "missing or extra factor). Use the mean over the batch.",
    "shape-error": "A shape error: an array has a shape the operation cannot take.",
    "diverged": "Your loss became inf or NaN where the reference's stays finite: your step takes larger "
    "steps than the reference's, past the stability edge.",
    "ema-decay-swapped": "Your EMA weights move decay of the way towards the weights, not 1 − decay: "
    "ema = decay · ema + (1 − decay) · weight.",
    "batch-stats-frozen": "BatchNorm's running statistics never change: apply(..., mutable=['batch_stats']) "
    "returns them updated; put them in the new state.",
    "dropout-key-reused": "The dropout key never changes: every step drops the same units. Split the key "
    "every step and keep the new one in the state.",
}
"""What the grader can recognise, and what it says with the fix when the exercise gives no hint."""
MOST_CASES = 12


class ExerciseError(ValueError):
    """An exercise file that cannot be used, and why."""


@dataclass(frozen=True)
class Case:
    """One hidden run: its data and settings (see CASE_FIELDS)."""

    seed: int = 0
    rows: int = 32
    inputs: int = 1
    outputs: int = 1
    steps: int = 20
    lr: float = 0.1
    optimizer: str = "sgd"
    max_norm: float | None = None
    decay: float | None = None
    dropout: float | None = None

    def said(self) -> str:
        """'seed 0, 32 rows, sgd at lr 0.1, 20 steps' and any extras ('max_norm 1')."""
        extras = [f"{n} {getattr(self, n):g}" for n in ("max_norm", "decay", "dropout") if getattr(self, n) is not None]
        steps = "1 step" if self.steps == 1 else f"{self.steps} steps"
        run = [f"seed {self.seed}", f"{self.rows} rows", f"{self.optimizer} at lr {self.lr:g}", steps]
        return ", ".join(run + extras)


@dataclass(frozen=True)
class Exercise:
    title: str
    task: str
    grader: str
    starter: Path
    cases: tuple[Case, ...]
    rtol: float
    atol: float
    hints: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "exercise"

    def said(self, diagnosis: str) -> str:
        """The exercise's hint for a diagnosis, else the grader's own sentence."""
        return self.hints.get(diagnosis) or DIAGNOSES[diagnosis]


def built_in_exercises() -> list[Path]:
    return sorted(EXERCISES_DIR.glob("*.json"))


def find_exercise(name) -> Path:
    """An exercise file's path, or the built-in exercise of that name (`nnx-train-step`)."""
    path = named_file(name, built_in_exercises())
    if path is not None:
        return path
    known = ", ".join(p.stem for p in built_in_exercises())
    raise ExerciseError(f"{name}: no such exercise file, nor a built-in exercise of that name ({known})")


def load_exercise(name) -> Exercise:
    """Read and check an exercise file (or a built-in one by name); ExerciseError says what is
    wrong."""
    path = find_exercise(name)
    try:
        data = json.loads(read_bounded(path, MAX_FILE_BYTES).decode("utf-8-sig"))
    except OSError as error:
        raise ExerciseError(f"{path}: cannot be read ({error.strerror or error})") from None
    except NotAFile as error:
        raise ExerciseError(f"{path}: {error}, not an exercise's JSON file") from None
    except TooLarge:
        raise ExerciseError(f"{path}: is larger than an exercise can be ({MAX_FILE_BYTES:,} bytes)") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ExerciseError(f"{path}: is not valid JSON in UTF-8 ({error})") from None
    try:
        return _parse(path, data)
    except (ValueError, TypeError) as error:
        raise ExerciseError(f"{path}: {error}") from None


def _parse(path: Path, data) -> Exercise:
    if not isinstance(data, dict):
        raise ValueError("must be an object with title, task, starter, grader and cases")
    unknown = set(data) - {"title", "task", "starter", "grader", "cases", "tolerance", "hints"}
    if unknown:
        raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
    for key in ("title", "task", "starter"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"needs a {key!r} (text)")
    if data.get("grader") not in GRADERS:
        raise ValueError(f"grader must be one of {', '.join(GRADERS)}, not {data.get('grader')!r}")
    starter = path.parent / data["starter"]
    if Path(data["starter"]).name != data["starter"] or starter.suffix != ".py":
        raise ValueError(f"starter must be a .py file beside the exercise, not {data['starter']!r}")
    if not starter.is_file():
        raise ValueError(f"its starter file {data['starter']} is missing")
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not 1 <= len(raw_cases) <= MOST_CASES:
        raise ValueError(f'"cases" must be a list of 1 to {MOST_CASES} cases')
    cases = tuple(_case(number, raw) for number, raw in enumerate(raw_cases, start=1))
    for number, case in enumerate(cases, start=1):
        for name in NEEDS.get(data["grader"], ()):
            if getattr(case, name) is None:
                raise ValueError(f"case {number}: the {data['grader']} grader needs its {name}")
    tolerance = data.get("tolerance", {})
    if not isinstance(tolerance, dict) or set(tolerance) - {"rtol", "atol"}:
        raise ValueError('"tolerance" must be an object with rtol and atol')
    rtol, atol = (_number(f"tolerance {k}", tolerance.get(k, d), 0.0, 1.0) for k, d in (("rtol", 1e-5), ("atol", 1e-6)))
    hints = data.get("hints", {})
    if not isinstance(hints, dict) or not all(isinstance(v, str) and v.strip() for v in hints.values()):
        raise ValueError('"hints" must map diagnoses to text')
    strange = set(hints) - set(DIAGNOSES)
    if strange:
        raise ValueError(f"a hint for {sorted(strange)[0]!r}, which is not a diagnosis ({', '.join(DIAGNOSES)})")
    return Exercise(data["title"], data["task"], data["grader"], starter, cases, rtol, atol, hints, path)


def _case(number: int, raw) -> Case:
    if not isinstance(raw, dict):
        raise ValueError(f"case {number}: must be an object")
    unknown = set(raw) - set(CASE_FIELDS) - {"optimizer"}
    if unknown:
        raise ValueError(f"case {number}: unknown field {sorted(unknown)[0]!r}")
    values = {}
    for name, (kind, low, high) in CASE_FIELDS.items():
        if name in raw:
            value = raw[name]
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"case {number}: {name} must be a whole number, not {value!r}")
            values[name] = kind(_number(f"case {number}: {name}", value, low, high))
    optimizer = raw.get("optimizer", "sgd")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"case {number}: optimizer must be one of {', '.join(OPTIMIZERS)}, not {optimizer!r}")
    return Case(**values, optimizer=optimizer)


def _number(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low:g} to {high:g}, not {value!r}")
    return value


def exercise_title(path: Path) -> str:
    """A menu entry for an exercise file: its title, or its file name if it cannot be read."""
    try:
        return load_exercise(path).title
    except ExerciseError:
        return path.stem


def work_file(exercise: Exercise) -> Path:
    """The student's own copy of the starter, in the user's data folder: made from the starter
    the first time, kept (with the student's work in it) ever after."""
    folder = platformdirs.user_data_path("train-step-lab", appauthor=False) / "exercises"
    path = folder / f"{exercise.name}.py"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise.starter, path)
    return path
