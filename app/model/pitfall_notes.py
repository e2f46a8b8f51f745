"""What each pitfall is, which paradigm and task it breaks and what to say about it (no JAX:
the window shows these before JAX loads). The faulty code itself is in `pitfalls.py`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PitfallNote:
    paradigm: str  # the paradigm whose code has the mistake; the other runs correctly beside it
    function: str  # its function in app/training/steps/pitfalls.py
    raises: bool  # True: the faulty code fails at once, and the failure is what is shown
    caption: str
    curve: str = ""  # the legend's name for the faulty paradigm's curve (one that runs)
    needs: tuple[str, object, str] | None = None
    """(setting, value, why): what choosing the pitfall turns on so its lesson shows."""
    task: str = "line"  # the task whose code has the mistake
    in_step: bool = True
    """True: the faulty function takes the step's place; False: it is elsewhere in the loop
    (the evaluation), and the step itself runs as written."""


TASK_NAMES = {"line": "line fit task", "digits": "digits task"}


PITFALLS = {
    "forgotten-rebind": PitfallNote(
        "linen",
        "forgotten_rebind",
        False,
        "Linen: the loop calls train_step(state, x, y) but never writes `state = ...`, so every "
        "step starts from the initial weights and the Linen curve stays flat while NNX learns. "
        "Fix: `state, metrics = train_step(state, x, y)`.",
        curve="Linen — state never rebound",
    ),
    "optimizer-in-loop": PitfallNote(
        "nnx",
        "optimizer_in_loop",
        False,
        "NNX: the optimizer is built inside the loop, so its state starts from zero every step: "
        "momentum becomes plain SGD, Adam takes a first step of about lr each time, plain SGD is "
        "unchanged. Fix: build it once, before the loop.",
        curve="NNX — optimizer rebuilt every step",
        needs=(
            "optimizer",
            "momentum",
            "Switched to SGD + momentum: plain SGD keeps no state, so "
            "rebuilding it changes nothing and the two curves would be the same.",
        ),
    ),
    "clip-update-misuse": PitfallNote(
        "linen",
        "clip_update_misuse",
        True,
        "Linen: `optax.clip_by_global_norm(1.0).update(grads, state)` returns a pair (updates, "
        "clip state) and wants the clip's own state; apply_gradients fails on the pair, as shown. "
        "Fix: `optax.chain(optax.clip_by_global_norm(1.0), tx)`, as make_tx does.",
        needs=(
            "clip_norm",
            1.0,
            "Clipping is on with this pitfall: NNX runs the correct "
            "optax.chain(clip, tx) beside the faulty Linen call.",
        ),
    ),
    "missing-wrt": PitfallNote(
        "nnx",
        "missing_wrt",
        True,
        "NNX: `nnx.Optimizer(model, tx)` without `wrt` is the pre-0.11 form; Flax 0.11 and later "
        "require it and raise the TypeError shown. Fix: `nnx.Optimizer(model, tx, "
        "wrt=nnx.Param)`.",
    ),
    "outer-scope-model": PitfallNote(
        "nnx",
        "outer_scope_train_step",
        False,
        "NNX: loss_fn ignores its argument and calls the enclosing `model`, so nnx.value_and_grad "
        "differentiates a loss that does not depend on it: every gradient is 0 and the NNX curve "
        "stays flat. Fix: use the model passed in.",
        curve="NNX — loss ignores its model argument",
    ),
    "forgotten-eval": PitfallNote(
        "nnx",
        "forgotten_eval",
        False,
        "NNX predicts the test digits in training mode, not through nnx.view(model, "
        "deterministic=True, use_running_average=True): dropout still drops units. At dropout 0.5 "
        "that is 2.4 points below the same weights evaluated correctly (ten seeds). Fix: predict "
        "from the view.",
        curve="NNX — tested in training mode",
        needs=(
            "dropout",
            0.5,
            "Dropout is 0.5 with this pitfall: at 0.1 it costs 0.6 points of test accuracy on "
            "average over ten seeds, from −0.3 to 1.7.",
        ),
        task="digits",
        in_step=False,
    ),
}


def pitfall_problem(config) -> str | None:
    """Why `config` cannot run its pitfall, or None: pitfalls run on their task with EMA off,
    beside the paradigm they break, and the clip pitfall beside clipping done right."""
    name = config.pitfall
    task = PITFALLS[name].task
    if config.task != task or config.ema_decay is not None:
        return f"pitfall {name} runs on the {TASK_NAMES[task]} with parameter EMA off"
    needs = PITFALLS[name].needs
    if needs and needs[0] == "clip_norm" and config.clip_norm is None:
        return f"pitfall {name} runs beside clipping done right: turn clipping on"
    broken = PITFALLS[name].paradigm
    if broken not in config.paradigms:
        return f"pitfall {name} breaks the {broken} step: run {broken} or both, not {config.paradigm}"
    return None
