"""Which line of a listing computes each value the step inspector shows, found in its syntax
tree: the statement that assigns `loss, grads`, the call to `state.apply_gradients` or
`optimizer.update`, the line marked `# BUG`, the keyword `batch_stats=` in a call. Renaming a
variable in a step module moves the mark with it, or leaves the value without a line (a test
then fails); it never points at a wrong line that happens to hold the same text.

Within a listing the step functions come first (the pitfall's faulty one, then the step
itself), then the helpers (the model, `make_tx`): a value is looked for there in that order.
"""

import ast
from dataclasses import dataclass

STEPS = ("train_step", "advanced_train_step")
"""The step functions by name: the run's step, as the listings show it."""


@dataclass(frozen=True)
class Where:
    """A kind of place: the `def` of the step (or of the faulty function first, with
    `faulty`), a statement assigning all of `names`, a call of the dotted `name`, a keyword or a
    dict key `name`, the `# BUG` line, the statement that builds the metrics dict, or the `def`
    of a function whose name ends with `name`."""

    kind: str
    name: str = ""
    names: tuple[str, ...] = ()
    faulty: bool = False


def _def(faulty=False):
    return Where("def", faulty=faulty)


def _assigns(*names):
    return Where("assigns", names=names)


def _calls(name):
    return Where("calls", name)


APPLY, UPDATE, BUG = _calls("state.apply_gradients"), _calls("optimizer.update"), Where("bug")
VALUES = {
    "batch": {"linen": (_def(),), "nnx": (_def(),)},
    "params before": {"linen": (_def(),), "nnx": (_def(faulty=True),)},
    "batch_stats before": {"linen": (Where("key", "batch_stats"),), "nnx": (_calls("self.norm"),)},
    "dropout key before": {"linen": (_calls("jax.random.split"),), "nnx": (_calls("self.dropout"),)},
    "smoothed targets": (_assigns("targets"),),
    "loss": (_assigns("loss", "grads"),),
    "gradients": (_assigns("loss", "grads"),),
    "gradient norm": (_calls("optax.tree.norm"),),
    "clipped gradients": (_calls("optax.chain"),),
    "opt_state before": {"linen": (APPLY,), "nnx": (BUG, UPDATE)},
    "update applied": {"linen": (APPLY,), "nnx": (UPDATE,)},
    "update thrown away": {"linen": (APPLY,)},
    "opt_state after": {"linen": (APPLY,), "nnx": (UPDATE,)},
    "opt_state thrown away": {"linen": (APPLY,), "nnx": (UPDATE,)},
    "params after": {"linen": (BUG, APPLY), "nnx": (UPDATE,)},
    "batch_stats after": {"linen": (Where("keyword", "batch_stats"),), "nnx": (_calls("model"),)},
    "dropout key after": {"linen": (Where("keyword", "dropout_rng"),), "nnx": (_calls("self.dropout"),)},
    "metrics": (Where("metrics"),),
    "EMA params before": (_assigns("ema_loss"), Where("def_ending", "_with_ema")),
    "EMA params after": {"linen": (_calls("state.apply_ema"),), "nnx": (_calls("update_ema"),)},
    "the state object": {"linen": (BUG, APPLY), "nnx": (UPDATE,)},
}
"""Per value (per paradigm where they differ), the places to look, in order: the first found
is the line. `BUG` comes first where the faulty line, if the listing has one, is the answer:
the forgotten rebind's weights after, the rebuilt optimizer's fresh state."""
BUG_ANSWERS = {
    "params after": "forgotten_rebind",
    "the state object": "forgotten_rebind",
    "opt_state before": "optimizer_in_loop",
}
"""`BUG` answers for a value only in the faulty function named: elsewhere the bug is another's."""


def value_lines(
    text: str, paradigm: str, faulty: str | None, bug_lines: frozenset[int], aside: str | None = None
) -> dict[str, int]:
    """Per value, the 0-based line of `text` (a listing of `paradigm`, whose faulty function is
    `faulty`, if any) that computes it. `aside` names a faulty function outside the step (the
    evaluation): no value of the step is looked for in it."""
    tree = ast.parse(text)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    step = [f for f in functions if f.name in STEPS]
    faulty_fn = [f for f in functions if f.name == faulty]
    rest = [n for n in tree.body if getattr(n, "name", None) != aside]
    scopes = (faulty_fn + step, rest)  # the step functions first, then anywhere
    found = {}
    for value, rules in VALUES.items():
        for where in rules.get(paradigm, ()) if isinstance(rules, dict) else rules:
            if where.kind == "bug" and BUG_ANSWERS.get(value) != faulty:
                continue
            line = _first(where, scopes, step, faulty_fn, bug_lines)
            if line is not None:
                found[value] = line
                break
    return found


def _first(where, scopes, step, faulty_fn, bug_lines) -> int | None:
    if where.kind == "bug":
        return min(bug_lines, default=None)
    if where.kind == "def":
        chosen = (faulty_fn if where.faulty else []) + step
        return chosen[0].lineno - 1 if chosen else None
    for scope in scopes:
        lines = [_line(where, node) for top in scope for node in ast.walk(top)]
        lines = [line for line in lines if line is not None]
        if lines:
            return min(lines)
    return None


def _line(where: Where, node) -> int | None:
    """The 0-based line at which `node` is the place `where` names, or None."""
    if where.kind == "assigns" and isinstance(node, ast.Assign):
        names = {n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)}
        return node.lineno - 1 if set(where.names) <= names else None
    if where.kind == "calls" and isinstance(node, ast.Call):
        return node.lineno - 1 if ast.unparse(node.func) == where.name else None
    if where.kind == "keyword" and isinstance(node, ast.keyword):
        return node.lineno - 1 if node.arg == where.name else None
    if where.kind == "key" and isinstance(node, ast.Dict):
        keys = [k for k in node.keys if isinstance(k, ast.Constant) and k.value == where.name]
        return keys[0].lineno - 1 if keys else None
    if where.kind == "metrics" and isinstance(node, ast.Return | ast.Assign):
        built = isinstance(node.value, ast.Dict) or (
            isinstance(node.value, ast.Tuple) and any(isinstance(e, ast.Dict) for e in node.value.elts)
        )
        return node.lineno - 1 if built else None
    if where.kind == "def_ending" and isinstance(node, ast.FunctionDef):
        return node.lineno - 1 if node.name.endswith(where.name) else None
    return None
