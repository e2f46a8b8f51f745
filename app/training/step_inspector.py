"""One step from the inside: the run's own step functions run once more, on the run's real
state before that step, with what passes through the optimizer recorded on the way.

Nothing is re-derived by a formula of its own: the step is `Program.step`, the one the run's
chunks loop over (`nnx_step.train_step`, `linen_step.train_step`, the digits' steps, a
pitfall's faulty step), compiled as a loop body as the run's is. The optax transform each
paradigm's step calls is wrapped so that its input (the gradients), its state before and
after and its output (the update applied) are kept; the clipped gradients are the chain's
first link run on the same input and state. What the state holds before and after (weights,
BatchNorm statistics, dropout keys) is read from the run's own carries: the one the step
started from, and the one the run's own compiled step leaves, exactly the run's. The values
kept on the way can differ from the run's in the last bit (a value kept is a value the
compiler may not fuse into the next).
"""

import functools

import jax
import numpy as np
import optax

from app.model.config import RunConfig
from app.model.engine_answers import ROWS, Inspection
from app.training.compiled import built, program


def watched(tx, log: dict):
    """`tx`, keeping what each call of its update takes and gives in `log` (at trace time)."""

    def update(updates, state, params=None, **extra):
        new_updates, new_state = tx.update(updates, state, params, **extra)
        log.update(grads=updates, state_before=state, update=new_updates, state_after=new_state)
        return new_updates, new_state

    return optax.GradientTransformationExtraArgs(tx.init, update)


def _inspector(prog, config: RunConfig):
    """`prog`'s single step with its transforms watched, jitted and compiled once whichever
    thread asks first (the run's, or the one compiling ahead); a second waits for that compile."""
    if prog.inspector is not None:
        return prog.inspector
    with prog.compiling:
        if prog.inspector is None:
            inspector = jax.jit(functools.partial(_inspect, prog))
            carry = prog.init(config)
            inspector.lower(carry, carry, *prog.data, np.int32(1)).compile()  # kept for the calls
            prog.inspector = inspector
    return prog.inspector


def is_compiled(structure) -> bool:
    """Whether `structure`'s inspector is compiled (without building anything)."""
    prog = built(structure)
    return prog is not None and prog.inspector is not None


def compile_inspector(config: RunConfig) -> None:
    """Compile the inspector of `config`'s structure (its program first), so that a Step or a
    Pause shows its values without waiting for a compile."""
    prog = program(config.structure)
    prog.compile(config)
    _inspector(prog, config)


def _inspect(prog, before_leaves, after_leaves, *data_and_steps):
    """The step from `before_leaves` with what it recorded, its inputs, and what the state held
    before it and after it (`after_leaves`: the run's own step from the same carry)."""
    prog.traces["inspect"] += 1
    *data, steps = data_and_steps
    carry = prog.unflatten(before_leaves)

    def one_step(carry):
        """The run's step, its transforms watched: the new carry and what it recorded."""
        logs = {p: {} for p in prog.structure.paradigms}
        new_carry, metrics = prog.step(carry, *data, watch=lambda p, tx: watched(tx, logs[p]))
        for log in logs.values():
            if prog.structure.clip and "grads" in log:
                # The chain's first link, on the input and the state the chain gave it.
                clip = optax.inject_hyperparams(optax.clip_by_global_norm)(max_norm=carry[2]["max_norm"])
                log["clipped"] = clip.update(log["grads"], log["state_before"][0])[0]
        return new_carry, (logs, metrics)

    # Inside a loop of one turn whose count is data, like the run's chunks: compiled as a loop
    # body, the step gives the run's numbers to the bit.
    _, blank = jax.eval_shape(one_step, carry)
    zeros = jax.tree.map(lambda s: jax.numpy.zeros(s.shape, s.dtype), blank)
    logs, metrics = jax.lax.fori_loop(0, steps, lambda _, loop: one_step(loop[0]), (carry, zeros))[1]
    held = prog.held(carry), prog.held(prog.unflatten(after_leaves))
    return logs, metrics, prog.inputs(carry, *data), held


def _named(tree, names: dict[str, str]) -> dict[str, np.ndarray]:
    """A pytree's array leaves by their path ('trace/kernel', 'mu/hidden/bias', 'count'), with
    Linen's layer names given as `names` maps them; one-number leaves as scalars."""
    leaves = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        keys = [getattr(k, "name", getattr(k, "key", getattr(k, "idx", ""))) for k in path]
        name = "/".join(names.get(str(k), str(k)) for k in keys if not isinstance(k, int))
        leaf = np.asarray(leaf)
        leaves[name or "value"] = leaf.reshape(()) if leaf.size == 1 else leaf
    return leaves


def _in_order(named: dict, params: tuple[str, ...]) -> dict:
    """`named` with its leaves in the order the model holds its `params` ('kernel' before
    'bias'), leaves of one prefix ('mu/', 'nu/') together, after any other leaves (Adam's
    'count', a metric) in the order they came."""

    def rank(name):
        for i, param in enumerate(params):
            if name == param or name.endswith("/" + param):
                return name[: -len(param)], i
        return "", -1

    return dict(sorted(named.items(), key=lambda item: rank(item[0])))


def _optimizer_state(state, clip: bool):
    """The base optimizer's own state: momentum's trace or Adam's mu, nu and count; its
    learning rate (kept in the state by `inject_hyperparams`) and any clip link left out."""
    return (state[1] if clip else state).inner_state


def inspect_step(config: RunConfig, carry_before, step: int, diverged_at: dict | None = None) -> Inspection:
    """Step `step` of `config`'s run from `carry_before` (the flat carry a chunk takes), with
    its intermediates. A paradigm that diverged before `step` (see `diverged_at`) shows no
    values: its run stopped there."""
    prog = program(config.structure)
    carry_after = prog.chunk(carry_before, 1)[0]  # the run's own compiled step
    inspector = _inspector(prog, config)
    recorded = inspector(carry_before, carry_after, *prog.data, np.int32(1))
    logs, metrics, inputs, (before, after) = jax.device_get(recorded)
    inputs = _real_rows(inputs)
    clip = config.clip_norm is not None
    values, facts = {}, {}
    for p in prog.structure.paradigms:
        if (diverged_at or {}).get(p, step) < step:
            values[p], facts[p] = {}, f"diverged at step {diverged_at[p]:,}: its run stopped there"
            continue
        log, m = logs[p], metrics[p]
        row = dict(inputs)
        row |= {f"{name} before": held for name, held in before[p].items()}
        row |= {f"{name} after": held for name, held in after[p].items()}
        row["loss"] = {"loss": m["loss"]}
        row["gradient norm"] = {"norm": m["grad_norm"]}
        row["metrics"] = {k: m[k] for k in prog.returned_metrics()}  # the dict the step returns
        if "grads" in log:  # a step that reached its optimizer
            # The forgotten rebind's new state is thrown away: its update and optimizer state
            # too. The optimizer rebuilt in the loop applies its update, and its state is lost.
            update, state_after = "update applied", "opt_state after"
            if config.pitfall == "forgotten-rebind" and p == "linen":
                update, state_after = "update thrown away", "opt_state thrown away"
            if config.pitfall == "optimizer-in-loop" and p == "nnx":
                state_after = "opt_state thrown away"
            trees = {
                "gradients": log["grads"],
                update: log["update"],
                "opt_state before": _optimizer_state(log["state_before"], clip),
                state_after: _optimizer_state(log["state_after"], clip),
            } | ({"clipped gradients": log["clipped"]} if clip else {})
            row |= {name: _named(tree, prog.layer_names) for name, tree in trees.items()}
        # Fetched dicts come back with sorted keys: the model's order is put back.
        values[p] = {name: _in_order(row[name], prog.param_names) for name in ROWS if name in row}
        facts[p] = _what_became_of_the_state(p, config, before[p], after[p])
    return Inspection(step, values, facts)


def _real_rows(inputs: dict) -> dict:
    """The inputs with a masked batch cut to its real rows (the rest only pad it)."""
    mask = inputs.get("batch", {}).get("mask")
    if mask is None:
        return inputs
    return {row: {k: v[mask] for k, v in part.items() if k != "mask"} for row, part in inputs.items()}


def _changed(paradigm: str, before: dict, after: dict) -> list[str]:
    """What the step changed of what the state holds, named for a sentence."""
    names = {
        "params": "weights",
        "batch_stats": "BatchNorm statistics",
        "dropout key": "dropout key" if paradigm == "linen" else "dropout stream's count of keys drawn",
    }
    return [
        names[row]
        for row in names
        if row in before and any(not np.array_equal(before[row][k], after[row][k]) for k in before[row])
    ]


def _what_became_of_the_state(paradigm, config, before, after) -> str:
    changed = _changed(paradigm, before, after)
    if paradigm == "nnx":
        if changed:
            return f"model: the same object, its {_and(changed)} changed in place"
        return "model: the same object; this step left its weights as they were, to the last bit"
    if config.pitfall == "forgotten-rebind":
        return "state: the step returned a new TrainState, and the loop threw it away: the weights are as before"
    new = f"new {_and(changed)}" if changed else "its weights equal to the old ones, to the last bit"
    return f"state: a new TrainState ({new}), rebound by the loop's `state, metrics = ...`; the old one is unchanged"


def _and(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
