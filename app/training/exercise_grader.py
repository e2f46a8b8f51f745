"""Grading a student's step: run it and the app's own on the same case, compare, and name
the classic mistake from what the student's step does.

Each grader (`GRADERS` in app.model.exercises) drives the student's functions through one
contract, and drives the reference, built from the app's step modules, through the same one,
so the two runs differ only by the student's code. A run is traced: the loss of every step,
and what the first step did to the state (the weights, the optimizer's step count, BatchNorm's
statistics, the dropout key). The diagnosis reads those traces; wrong variants of the step
(the optimizer rebuilt, no clipping, the EMA's decay swapped) are run too where the case
allows the mistake, and a student's curve that matches one names it.
"""

import io
import linecache
import re
import tokenize
import traceback
import types
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn
from flax import nnx

from app.model import tasks
from app.model.exercises import Case, Exercise
from app.model.sandbox import CaseResult, Curve, Failure
from app.training.steps import digits_linen, linen_step, nnx_step, recipe
from app.training.steps.optimizers import make_tx

CODE_NAME = "<your file>"  # the file name the student's code is compiled under


class StudentError(Exception):
    """The student's code raised, or broke its contract: what and where."""

    def __init__(self, failure: Failure):
        super().__init__(failure.what)
        self.failure = failure


@dataclass
class Trace:
    """One run: each step's loss, and what the first step changed in the state."""

    losses: list = field(default_factory=list)
    steps: list | None = None  # the step of each loss (None: 0, 1, 2, ...)
    moved: bool | None = None  # the weights changed
    counted: bool | None = None  # the optimizer (or the state) counted an update
    stats_moved: bool | None = None  # BatchNorm's running statistics changed
    key_moved: bool | None = None  # the dropout key changed
    first_loss_fn: float | None = None  # the student's loss_fn on the first weights, where there is one


def data(case: Case):
    """The case's (x, y): `rows` points of `inputs` features, targets a fixed linear map of
    them plus a little noise, all from the case's seed."""
    rng = np.random.default_rng(case.seed)
    x = rng.normal(size=(case.rows, case.inputs)).astype(np.float32)
    w = rng.normal(size=(case.inputs, case.outputs))
    y = (x @ w + 0.1 * rng.normal(size=(case.rows, case.outputs))).astype(np.float32)
    return x, y


def digits_batch(case: Case):
    train_x, train_y, _, _ = tasks.digits_split()
    rows = np.random.default_rng(case.seed).choice(len(train_x), size=min(case.rows, len(train_x)), replace=False)
    return train_x[rows], train_y[rows]


# The references: the app's own steps, behind the contract the student's file keeps.
def _reference(grader: str, case: Case):
    if grader == "recipe":
        return SimpleNamespace(train_step_loss=recipe.train_step_loss)
    if grader == "nnx":
        return SimpleNamespace(loss_fn=nnx_step.loss_fn, train_step=lambda *a: nnx_step.train_step(*a)["loss"])
    if grader in ("linen", "clip"):
        return SimpleNamespace(
            train_step=_linen_reference_step,
            make_tx=lambda learning_rate, max_norm: make_tx(case.optimizer, learning_rate, max_norm),
        )
    if grader == "ema":
        return SimpleNamespace(update_ema=nnx_step.update_ema)
    return SimpleNamespace(train_step=_digits_reference_step)


def _linen_reference_step(state, x, y):
    state, metrics = linen_step.train_step(state, x, y)
    return state, metrics["loss"]


def _digits_reference_step(state, images, labels):
    batch = {"image": images, "label": labels, "mask": jnp.ones(len(labels), bool)}
    state, metrics = digits_linen.advanced_train_step(state, batch, 0.0, 0.0)
    return state, metrics["loss"]


# The drivers: one run of a contract's functions on a case, traced.
def run(grader: str, code, case: Case, on_loss=None, rebuilt=False, compiled=False) -> Trace:
    """Run `code` (the student's module, or a reference) on `case`. `on_loss(step, loss)` hears
    each loss as it comes; `rebuilt` runs the optimizer-rebuilt-every-step variant; `compiled`
    compiles an NNX step with `nnx.jit` (the Run button's reference: fast, and only drawn)."""
    on_loss = on_loss or (lambda step, loss: None)
    driver = {"recipe": _run_recipe, "nnx": _run_nnx, "ema": _run_ema, "digits": _run_digits}.get(grader, _run_linen)
    return driver(grader, code, case, on_loss, rebuilt=rebuilt, compiled=compiled)


def recipe_points(steps: int) -> list[int]:
    """The step counts the recipe's function is called with for a curve (it returns only the
    first and the last loss): 1, then seven spread evenly to `steps`."""
    return sorted({1, *np.linspace(1, steps, 8).round().astype(int).tolist()})


def _run_recipe(grader, code, case, on_loss, rebuilt, compiled):
    x, y = data(case)
    trace = Trace()
    values = _first_and_last(code, case, x, y, case.steps)
    trace.losses, trace.steps = [float(values[0]), float(values[1])], [0, case.steps - 1]
    on_loss(0, float(values[0]))
    on_loss(case.steps - 1, float(values[1]))
    trace.moved = bool(case.steps == 1 or values[1] != values[0])
    return trace


def _first_and_last(code, case, x, y, steps: int) -> np.ndarray:
    """train_step_loss's answer for `steps` steps, checked to be [first loss, last loss]."""
    first_last = _call(code.train_step_loss, float(case.seed), x, y, case.lr, float(steps))
    if first_last is None:
        raise StudentError(Failure("train_step_loss must return [first loss, last loss], not None"))
    try:
        values = np.asarray(first_last, dtype=np.float64)
    except (TypeError, ValueError):
        raise StudentError(Failure(f"train_step_loss returned {type(first_last).__name__}, not two losses")) from None
    if values.shape != (2,):
        raise StudentError(Failure(f"train_step_loss returned shape {values.shape}, not (2,): [first loss, last loss]"))
    return values


def _run_recipe_curve(code, case, on_loss):
    """The recipe's curve, one call per point (the Run button's)."""
    x, y = data(case)
    for count in recipe_points(case.steps):
        values = _first_and_last(code, case, x, y, count)
        if count == 1:
            on_loss(0, float(values[0]))
        else:
            on_loss(count - 1, float(values[1]))


def _run_nnx(grader, code, case, on_loss, rebuilt, compiled):
    x, y = data(case)
    tx = make_tx(case.optimizer, case.lr, case.max_norm)
    model, optimizer, _ = nnx_step.create(nnx.Rngs(case.seed), case.inputs, case.outputs, tx)
    trace = Trace(first_loss_fn=_scalar(_call(code.loss_fn, model, x, y), "loss_fn"))
    train_step = nnx.jit(code.train_step) if compiled else code.train_step
    for step in range(case.steps):
        before = _params(model) if step == 0 else None
        count = int(optimizer.step[...]) if step == 0 else None
        if rebuilt:
            optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
        loss = _scalar(_call(train_step, model, optimizer, x, y), "train_step")
        if step == 0:
            trace.moved = _changed(before, _params(model))
            trace.counted = int(optimizer.step[...]) != count
        trace.losses.append(loss)
        on_loss(step, loss)
    return trace


def _run_linen(grader, code, case, on_loss, rebuilt, compiled):
    x, y = data(case)
    params = nn.Dense(case.outputs).init(jax.random.key(case.seed), x)["params"]
    tx = _call(code.make_tx, case.lr, case.max_norm) if grader == "clip" else make_tx(case.optimizer, case.lr)
    state = linen_step.create_state(params, case.outputs, tx)
    return _run_states(code, state, (x, y), case, on_loss)


def _run_digits(grader, code, case, on_loss, rebuilt, compiled):
    images, labels = digits_batch(case)
    model = digits_linen.MLP(case.dropout or 0.0)
    variables = model.init(jax.random.key(case.seed), images[:1], train=False)
    tx = make_tx(case.optimizer, case.lr)
    state = digits_linen.create_state(variables, case.dropout or 0.0, tx, jax.random.key(case.seed + 1))
    return _run_states(code, state, (images, labels), case, on_loss)


def _run_states(code, state, batch, case, on_loss):
    """A Linen loop: `state, loss = train_step(state, *batch)`, rebound every step, the step
    compiled with `jax.jit` as the app compiles its own."""
    trace = Trace()
    train_step = jax.jit(code.train_step)
    for step in range(case.steps):
        before = state
        result = _call(train_step, state, *batch)
        if not (isinstance(result, tuple) and len(result) == 2):
            got = "None" if result is None else type(result).__name__
            raise StudentError(Failure(f"train_step must return (state, loss): a new state and the loss, not {got}"))
        state, loss = result[0], _scalar(result[1], "train_step")
        if not hasattr(state, "params"):
            raise StudentError(Failure(f"train_step returned {type(state).__name__} as the state, not a TrainState"))
        if step == 0:
            trace.moved = _changed(_leaves(before.params), _leaves(state.params))
            trace.counted = int(state.step) != int(before.step)
            if getattr(before, "batch_stats", None) is not None:
                trace.stats_moved = _changed(_leaves(before.batch_stats), _leaves(state.batch_stats))
                trace.key_moved = _changed(_key_data(before.dropout_rng), _key_data(state.dropout_rng))
        trace.losses.append(loss)
        on_loss(step, loss)
    return trace


def _run_ema(grader, code, case, on_loss, rebuilt, compiled):
    """The reference step trains; the student's (or the reference's) update_ema moves the EMA
    copy; the trace's losses are the EMA weights' loss, and `moved` whether they moved."""
    x, y = data(case)
    tx = make_tx(case.optimizer, case.lr)
    model, optimizer, ema_model = nnx_step.create(nnx.Rngs(case.seed), case.inputs, case.outputs, tx, ema=True)
    trace = Trace()
    train_step = nnx.jit(nnx_step.train_step)  # the app's own step: only the EMA is the student's
    for step in range(case.steps):
        train_step(model, optimizer, x, y)
        before = _params(ema_model) if step == 0 else None
        _call(code.update_ema, ema_model, model, case.decay)
        if step == 0:
            trace.moved = _changed(before, _params(ema_model))
        loss = float(nnx_step.loss_fn(ema_model, x, y))
        trace.losses.append(loss)
        on_loss(step, loss)
    return trace


def _swapped_ema() -> SimpleNamespace:
    """update_ema with decay and 1 − decay swapped (a wrong variant)."""
    return SimpleNamespace(update_ema=lambda ema_model, model, decay: nnx_step.update_ema(ema_model, model, 1 - decay))


# Calling the student's code.
def load(source: str | bytes):
    """The student's file run as a module, its line numbers kept; a StudentError if it does not
    compile or its top level raises (or exits). Bytes are decoded as Python decodes a file (a
    byte-order mark, a coding line)."""
    if isinstance(source, bytes):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
            source = source.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as error:
            raise StudentError(Failure(f"your file could not be read as text: {error}")) from None
    module = types.ModuleType("your_step")
    module.__file__ = CODE_NAME
    # Tracebacks (and the diagnosis) read the student's lines as they read a file's.
    linecache.cache[CODE_NAME] = (len(source), None, source.splitlines(keepends=True), CODE_NAME)
    try:
        exec(compile(source, CODE_NAME, "exec"), module.__dict__)
    except SyntaxError as error:
        raise StudentError(Failure(f"SyntaxError at line {error.lineno}: {error.msg}", error.lineno)) from None
    except (Exception, SystemExit, KeyboardInterrupt, GeneratorExit) as error:
        failure = failure_of(error)
        raise StudentError(replace(failure, what=f"{failure.what} (while your file was loaded)")) from None
    return module


def _call(function, *args):
    """Call a function of the student's file; what it raises becomes a StudentError with its
    line in their file."""
    try:
        return function(*args)
    except StudentError:
        raise
    except (Exception, KeyboardInterrupt, GeneratorExit) as error:  # sys.exit ends the process, and says so
        raise StudentError(failure_of(error)) from None


def failure_of(error: BaseException) -> Failure:
    """A sentence for an exception from the student's code, the line of their file it came
    through last, and the mistake it shows, if the grader knows it."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == CODE_NAME:
            line = frame.lineno
    try:
        said = str(error).strip()
    except Exception:  # an exception whose message itself fails
        said = "(its message could not be shown)"
    message = said.splitlines()[0] if said else ""
    what = f"{type(error).__name__}: {message}" if message else type(error).__name__
    where = f" at line {line}" if line else ""
    return Failure(f"{what}{where}", line, _diagnosis_of(error, message))


def _diagnosis_of(error: BaseException, message: str) -> str | None:
    if isinstance(error, TypeError) and "wrt" in message:
        return "wrt-missing"
    # The tutorial's clip: its (updates, state) pair reaches apply_gradients as the gradients.
    if re.search(r"clip_by_global_norm\([^)]*\)\s*\.update\(", _student_lines()) and (
        "pytree" in message or "tuple" in message
    ):
        return "clip-outside-chain"
    shapes = any(word in message.lower() for word in ("shape", "incompatible", "dot_general"))
    if isinstance(error, TypeError | ValueError) and shapes:
        return "shape-error"
    return None


def _scalar(value, name: str) -> float:
    if isinstance(value, dict) and "loss" in value:
        value = value["loss"]
    if value is None:
        raise StudentError(Failure(f"{name} must return the loss, not None (does it end with return?)"))
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise StudentError(Failure(f"{name} must return the loss, a number, not {type(value).__name__}")) from None
    if array.size != 1:
        raise StudentError(Failure(f"{name} must return the loss, one number, not shape {array.shape}"))
    return float(array.reshape(()))


def _params(model) -> list:
    return _leaves(nnx.state(model, nnx.Param))


def _leaves(tree) -> list:
    return [np.array(leaf) for leaf in jax.tree.leaves(tree)]


def _key_data(key) -> list:
    return [np.array(jax.random.key_data(key))] if key is not None else []


def _changed(before: list, after: list) -> bool:
    return len(before) != len(after) or any(not np.array_equal(a, b) for a, b in zip(before, after, strict=False))


def _student_lines() -> str:
    return "".join(linecache.getlines(CODE_NAME))


# Checking.
def references(exercise: Exercise) -> list[Trace]:
    """The reference's run of every hidden case, worked out before the student's code arrives:
    a Check then waits for the student's runs alone. The line-fit graders also run the app's
    NNX step on each case's shapes without compiling it, as a student's step runs: the
    operations it dispatches are compiled once, here."""
    traces = [run(exercise.grader, _reference(exercise.grader, case), case) for case in exercise.cases]
    if exercise.grader in ("recipe", "nnx", "ema"):
        for case in exercise.cases:
            run("nnx", _reference("nnx", case), replace(case, steps=2))
    return traces


def check_case(exercise: Exercise, code, index: int, reference: Trace | None = None) -> CaseResult:
    """Run the student's code on one hidden case and compare it with the reference's run (made
    here unless given); the verdict, what was measured, and the mistake named."""
    case = exercise.cases[index]
    if reference is None:
        reference = run(exercise.grader, _reference(exercise.grader, case), case)
    try:
        yours = run(exercise.grader, code, case)
    except StudentError as error:
        return CaseResult(index, False, error.failure.what, error.failure.diagnosis, error.failure.line)
    mine, theirs = np.asarray(yours.losses, np.float64), np.asarray(reference.losses, np.float64)
    if yours.first_loss_fn is not None and not np.isclose(
        yours.first_loss_fn, reference.first_loss_fn, rtol=exercise.rtol, atol=exercise.atol
    ):
        mine_first, theirs_first = yours.first_loss_fn, reference.first_loss_fn
        detail = f"loss_fn on the first weights: {mine_first:.6g}, the reference's {theirs_first:.6g}"
        return CaseResult(index, False, detail, diagnose(exercise, code, case, yours, reference))
    close = np.allclose(mine, theirs, rtol=exercise.rtol, atol=exercise.atol, equal_nan=True)
    gap = _largest_gap(mine, theirs)
    if close:
        return CaseResult(index, True, f"every loss within the tolerance (largest difference {gap:.2g})")
    diagnosis = diagnose(exercise, code, case, yours, reference)
    off = ~np.isclose(mine, theirs, rtol=exercise.rtol, atol=exercise.atol, equal_nan=True)
    first_off = int(np.argmax(off))  # the first loss out of the tolerance
    step = (reference.steps or range(len(theirs)))[first_off]
    detail = f"loss at step {step}: {mine[first_off]:.6g}, the reference's {theirs[first_off]:.6g}"
    return CaseResult(index, False, detail, diagnosis)


def _largest_gap(mine, theirs) -> float:
    both = np.isfinite(mine) & np.isfinite(theirs)
    return float(np.max(np.abs(mine[both] - theirs[both]))) if both.any() else 0.0


def diagnose(exercise: Exercise, code, case: Case, yours: Trace, reference: Trace) -> str | None:
    """The classic mistake the student's run shows, or None (just wrong by the difference)."""
    mine, theirs = np.asarray(yours.losses, np.float64), np.asarray(reference.losses, np.float64)
    if reference.moved and yours.moved is False:
        return "zero-gradients" if yours.counted else "dropped-update"
    if reference.stats_moved and yours.stats_moved is False:
        return "batch-stats-frozen"
    if reference.key_moved and yours.key_moved is False:
        return "dropout-key-reused"
    first = yours.first_loss_fn if yours.first_loss_fn is not None else mine[0]
    if np.isfinite(first) and theirs[0] > 0 and not np.isclose(first, theirs[0], rtol=1e-4):
        ratio = first / theirs[0]
        if ratio > 0 and abs(ratio - round(ratio)) < 1e-3 * ratio and round(ratio) >= 2:
            return "constant-factor"  # (a sum instead of the mean, and maybe past the edge for it)
    if (np.isfinite(theirs) & ~np.isfinite(mine)).any():
        return "diverged"
    grader = exercise.grader
    variants = []
    if grader == "nnx" and case.optimizer != "sgd":
        variants.append(("optimizer-rebuilt", lambda: run(grader, _reference(grader, case), case, rebuilt=True)))
    if grader == "clip":
        unclipped = SimpleNamespace(
            train_step=_linen_reference_step, make_tx=lambda lr, _max_norm: make_tx(case.optimizer, lr)
        )
        variants.append(("no-clipping", lambda: run(grader, unclipped, case)))
    if grader == "ema":
        variants.append(("ema-decay-swapped", lambda: run(grader, _swapped_ema(), case)))
    for name, variant in variants:
        other = np.asarray(variant().losses, np.float64)
        if np.allclose(mine, other, rtol=exercise.rtol, atol=exercise.atol, equal_nan=True):
            return name
    return None


def curves(exercise: Exercise, code, case: Case, emit) -> None:
    """The Run button's: the student's curve as it comes beside the reference's, each point
    handed to `emit(Curve)`; a StudentError stops it."""
    grader = exercise.grader
    if grader == "recipe":  # its function returns the last loss only: one call a point
        theirs = {}
        _run_recipe_curve(_reference("recipe", case), case, theirs.__setitem__)
        _run_recipe_curve(code, case, lambda step, loss: emit(Curve((step,), (loss,), (theirs[step],))))
        return
    theirs = run(grader, _reference(grader, case), case, compiled=True).losses
    run(grader, code, case, on_loss=lambda step, loss: emit(Curve((step,), (loss,), (theirs[step],))))


CONTRACTS = {
    "recipe": ("train_step_loss",),
    "nnx": ("loss_fn", "train_step"),
    "linen": ("train_step",),
    "clip": ("make_tx", "train_step"),
    "ema": ("update_ema",),
    "digits": ("train_step",),
}


def missing(grader: str, code) -> Failure | None:
    """A Failure naming the first function of the contract the student's file does not define."""
    for name in CONTRACTS[grader]:
        if not callable(getattr(code, name, None)):
            return Failure(f"your file defines no function {name}: the exercise calls it")
    return None
