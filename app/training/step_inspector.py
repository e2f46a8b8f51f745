"""One step from the inside: the run's own step functions run once more, on the run's real
state before that step, with what passes through the optimizer recorded on the way.

Nothing is re-derived by a formula of its own: the step is `Program.step`, the one the run's
chunks loop over (`nnx_step.train_step`, `linen_step.train_step`, a pitfall's faulty step),
compiled as a loop body as the run's is. The optax transform each paradigm's step calls is
wrapped so that its input (the gradients), its state before and after and its output (the
update applied) are kept; the clipped gradients are the chain's first link run on the same
input and state. The weights after the step come from the run's own compiled step: exactly
the run's. The values kept on the way can differ from the run's in the last bit (a value
kept is a value the compiler may not fuse into the next). The line fit only: its weights are
two numbers each, readable in a table.
"""

from dataclasses import dataclass

import jax
import numpy as np
import optax

from app.training.compiled import program
from app.training.config import RunConfig


@dataclass(frozen=True)
class Inspection:
    """Step `step` of a run, per paradigm: named values, plain numpy, in the listing's order.

    `values[paradigm]` maps a name of `ROWS` to a dict of numbers (the line's kernel and bias,
    or an optimizer state's leaves); `facts[paradigm]` says what became of the state object.
    """

    step: int
    values: dict[str, dict[str, dict[str, np.ndarray]]]
    facts: dict[str, str]


ROWS = (
    "params before", "loss", "gradients", "gradient norm", "clipped gradients",
    "optimizer state before", "update applied", "update thrown away", "optimizer state after", "params after",
    "EMA params before", "EMA params after",
)
"""What the inspector shows, in the order a step's listing computes it."""


def watched(tx, log: dict):
    """`tx`, keeping what each call of its update takes and gives in `log` (at trace time)."""

    def update(updates, state, params=None, **extra):
        new_updates, new_state = tx.update(updates, state, params, **extra)
        log.update(grads=updates, state_before=state, update=new_updates, state_after=new_state)
        return new_updates, new_state

    return optax.GradientTransformationExtraArgs(tx.init, update)


_compiled = {}


def _inspector(prog):
    """The jitted single step of `prog` with its transforms watched (one per structure)."""
    if prog.structure not in _compiled:

        def one_step(carry, data):
            """The run's step, its transforms watched: the new carry and what it recorded."""
            logs = {p: {} for p in prog.structure.paradigms}
            new_carry, metrics = prog.step(carry, *data, watch=lambda p, tx: watched(tx, logs[p]))
            for p, log in logs.items():
                if prog.structure.clip and "grads" in log:
                    # The chain's first link, on the input and the state the chain gave it.
                    clip = optax.inject_hyperparams(optax.clip_by_global_norm)(max_norm=carry[2]["max_norm"])
                    log["clipped"] = clip.update(log["grads"], log["state_before"][0])[0]
            return new_carry, (logs, metrics)

        def inspect(carry_leaves, *data_and_steps):
            # Inside a loop of one turn whose count is data, like the run's chunks: compiled
            # as a loop body, the step gives the run's numbers to the bit.
            *data, steps = data_and_steps
            carry = prog.unflatten(carry_leaves)
            _, blank = jax.eval_shape(one_step, carry, data)
            zeros = jax.tree.map(lambda s: jax.numpy.zeros(s.shape, s.dtype), blank)

            def body(_, loop):
                return one_step(loop[0], data)

            return jax.lax.fori_loop(0, steps, body, (carry, zeros))[1]

        _compiled[prog.structure] = jax.jit(inspect)
    return _compiled[prog.structure]


def _named(tree) -> dict[str, np.ndarray]:
    """An optimizer state's array leaves by their path ('trace/kernel', 'mu/bias', 'count')."""
    leaves = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        keys = [getattr(k, "name", getattr(k, "key", getattr(k, "idx", ""))) for k in path]
        name = "/".join(str(k) for k in keys if not isinstance(k, int))
        leaves[name or "value"] = np.asarray(leaf)
    return leaves


def _optimizer_state(state, clip: bool):
    """The base optimizer's own state: momentum's trace or Adam's mu, nu and count; its
    learning rate (kept in the state by `inject_hyperparams`) and any clip link left out."""
    base = state[1] if clip else state
    return _named(base.inner_state)


def inspect_step(config: RunConfig, carry_before, step: int, diverged_at: dict | None = None) -> Inspection:
    """Step `step` of `config`'s run from `carry_before` (the flat carry a chunk takes), with
    its intermediates. A paradigm that diverged before `step` (see `diverged_at`) shows no
    values: its run stopped there."""
    prog = program(config.structure)
    logs, metrics = jax.device_get(_inspector(prog)(carry_before, *prog.data, np.int32(1)))
    # The weights after: the run's own compiled step, so they are the run's to the bit (watching
    # a value makes the compiler keep it, which can move the last bit of what follows from it).
    after = jax.device_get(prog._weights(prog.unflatten(prog.chunk(carry_before, 1)[0])))
    clip, ema = config.clip_norm is not None, config.ema_decay is not None
    values, facts = {}, {}
    for p in prog.structure.paradigms:
        if (diverged_at or {}).get(p, step) < step:
            values[p], facts[p] = {}, f"diverged at step {diverged_at[p]:,}: its run stopped there"
            continue
        log, w0, w1 = logs[p], metrics[p], after[p]  # a step's metrics hold the weights it started from
        row = {
            "params before": {"kernel": w0["kernel"], "bias": w0["bias"]},
            "loss": {"loss": metrics[p]["loss"]},
            "gradient norm": {"norm": metrics[p]["grad_norm"]},
            "params after": {"kernel": w1["kernel"], "bias": w1["bias"]},
        }
        if "grads" in log:  # a step that reached its optimizer
            row["gradients"] = _line(log["grads"])
            thrown_away = config.pitfall == "forgotten-rebind" and p == "linen"
            row["update thrown away" if thrown_away else "update applied"] = _line(log["update"])
            row["optimizer state before"] = _optimizer_state(log["state_before"], clip)
            row["optimizer state after"] = _optimizer_state(log["state_after"], clip)
            if clip:
                row["clipped gradients"] = _line(log["clipped"])
        if ema:
            row["EMA params before"] = {"kernel": w0["ema_kernel"], "bias": w0["ema_bias"]}
            row["EMA params after"] = {"kernel": w1["ema_kernel"], "bias": w1["ema_bias"]}
        values[p] = {name: row[name] for name in ROWS if name in row}
        facts[p] = _what_became_of_the_state(p, config, w0, w1)
    return Inspection(step, values, facts)


def _line(tree) -> dict[str, np.ndarray]:
    """A Linear layer's pytree (NNX State or Linen params) as its kernel and bias numbers."""
    return {name: np.asarray(tree[name]).reshape(()) for name in ("kernel", "bias")}


def _what_became_of_the_state(paradigm, config, before, after) -> str:
    moved = before["kernel"] != after["kernel"] or before["bias"] != after["bias"]
    if paradigm == "nnx":
        return "model: the same object, its weights changed in place" if moved else "model: the same object, its weights unchanged"
    if config.pitfall == "forgotten-rebind":
        return "state: the step returned a new TrainState, and the loop threw it away: the weights are as before"
    return "state: a new TrainState, rebound by `state, metrics = train_step(...)`; the old one is unchanged"
