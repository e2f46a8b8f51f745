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
        "Linen: the loop calls train_step(state, x, y) but never writes `state = ...`. The step "
        "returns a new TrainState and the loop throws it away, so every step starts from the "
        "initial weights: the Linen curve stays flat while NNX, which updates in place, learns. "
        "Fix: `state, metrics = train_step(state, x, y)`.",
        curve="Linen — state never rebound",
    ),
    "optimizer-in-loop": PitfallNote(
        "nnx",
        "optimizer_in_loop",
        False,
        "NNX: the optimizer is built inside the loop, so its state (momentum, Adam's moment "
        "estimates and step count) starts from zero every step. Plain SGD keeps no state, so its "
        "curve does not change; momentum becomes plain SGD and Adam takes a first, bias-corrected "
        "step of about lr in every direction each time. Fix: build the optimizer once, before "
        "the loop.",
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
        "Linen: `grads = optax.clip_by_global_norm(1.0).update(grads, state)` is wrong twice: "
        "`update` returns a pair (updates, new clip state), and it wants the clip's own state, "
        "not the TrainState. The pair then reaches apply_gradients, and the state's own transform "
        "fails on it (not every leaf of the pair is a gradient), as shown. Fix: chain the clip into the transform, "
        "`optax.chain(optax.clip_by_global_norm(1.0), tx)`, as make_tx does; NNX runs that way "
        "beside it.",
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
        "NNX: `nnx.Optimizer(model, tx)` without `wrt` is the pre-0.11 form. Since Flax 0.11 "
        "`wrt` is required (which variables the optimizer trains), and Flax raises the "
        "TypeError shown. Fix: `nnx.Optimizer(model, tx, wrt=nnx.Param)`; Linen runs beside it.",
    ),
    "outer-scope-model": PitfallNote(
        "nnx",
        "outer_scope_train_step",
        False,
        "NNX: loss_fn ignores its argument and calls the `model` of the enclosing scope. "
        "nnx.value_and_grad differentiates with respect to the argument it passes in, which the "
        "loss never touches: every gradient is exactly 0, nothing raises, and the NNX curve "
        "stays flat. Fix: `def loss_fn(model, x, y)` and use that model.",
        curve="NNX — loss ignores its model argument",
    ),
    "forgotten-eval": PitfallNote(
        "nnx",
        "forgotten_eval",
        False,
        "NNX: the test digits are predicted by the model as it trains, not by "
        "`nnx.view(model, deterministic=True, use_running_average=True)`. In training mode "
        "dropout still drops units at random and BatchNorm normalises the test images with "
        "their own statistics, not the running ones. Nothing raises; the test accuracy shown is a "
        "randomly thinned model's (with dropout 0.5, 2.4 points below the same weights "
        "evaluated correctly, on average over ten seeds). Linen predicts with train=False beside "
        "it. Fix: predict from the evaluation view.",
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
