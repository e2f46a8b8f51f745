"""The source the runner executes, as the code panes show it, and the lines each feature owns.

Files are read from disk, never imported, so the window can show them before JAX loads.
"""

import ast
import functools
import importlib.util
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from app.model.pitfall_notes import PITFALLS
from app.training.listing_lines import value_lines

STEP_MODULES = {
    "line": {"linen": "app.training.steps.linen_step", "nnx": "app.training.steps.nnx_step"},
    "digits": {"linen": "app.training.steps.digits_linen", "nnx": "app.training.steps.digits_nnx"},
}
TX_MODULE = "app.training.steps.optimizers"
TX_FUNCTION = "make_tx"
FEATURE_NAMES = {"ema": re.compile(r"ema", re.I), "clip": re.compile(r"clip|max_norm")}


@dataclass(frozen=True)
class Listing:
    """A pane's text and, per feature, the 0-based line numbers that implement it."""

    title: str
    text: str
    feature_lines: dict[str, frozenset[int]]
    """Per feature, the lines that implement it: marked when the feature is on."""
    idle_lines: dict[str, frozenset[int]]
    """Per feature, the lines that do not run while it is off (functions named after it, the
    bodies of `if`s on it): dimmed when the feature is off."""
    origins: tuple[tuple[str, int] | None, ...]
    """Per line, the (module, line number) it was read from; None for the blank joins."""
    step_lines: frozenset[int]
    """The lines of the step functions (named like `train_step`, and a pitfall's faulty one):
    what a pane scrolls to first, and all that presentation shows."""
    value_lines: dict[str, int]
    """Per value the step inspector shows, the line that computes it (see `listing_lines`)."""


def module_source(module: str) -> str:
    """The text of a module's file, found without importing it."""
    return Path(importlib.util.find_spec(module).origin).read_text()


def _definitions(module: str, name: str | None) -> tuple[str, int]:
    """The exact text of a module's top-level classes and functions (or of the one named),
    from the first one's first line to the last one's last line (the code, without the module
    docstring and imports), and the file's line number of that first line."""
    source = module_source(module)
    nodes = [
        n
        for n in ast.parse(source).body
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and (name is None or n.name == name)
    ]
    first = min([nodes[0].lineno] + [d.lineno for d in nodes[0].decorator_list])
    lines = source.splitlines(keepends=True)
    return "".join(lines[first - 1 : nodes[-1].end_lineno]), first


HELPERS = {
    ("line", "linen"): (),
    ("line", "nnx"): (),
    ("digits", "linen"): (("app.training.steps.linen_step", "EMATrainState"), ("app.training.steps.digits_loss", None)),
    ("digits", "nnx"): (("app.training.steps.digits_loss", None),),
}
"""What else a step's listing shows, (module, definition or all), before the optax chain."""


PITFALL_MODULE = "app.training.steps.pitfalls"
STEP_NAME = "train_step"
BUG_MARK = "# BUG"


@functools.cache
def listing(paradigm: str, task: str = "line", pitfall: str | None = None) -> Listing:
    """A paradigm's step functions for a task, the helpers they use, then the optax chain.

    With a pitfall in this paradigm's code, its faulty function comes first, and the
    "bug" feature holds the line marked `# BUG`.
    """
    module = STEP_MODULES[task][paradigm]
    shown = [(module, None), *HELPERS[task, paradigm], (TX_MODULE, TX_FUNCTION)]
    note = PITFALLS.get(pitfall)
    if note and note.paradigm == paradigm:
        shown.insert(0, (PITFALL_MODULE, note.function))
    read = [_definitions(m, name) for m, name in shown]
    parts = [part for part, _ in read]
    text = "\n\n".join(parts)
    origins = []
    for (m, _), (part, first) in zip(shown, read, strict=False):
        if origins:
            origins += [None, None]  # the two blank lines between two parts
        origins.extend((m, first + i) for i in range(len(part.splitlines())))
    title = "  +  ".join(f"{name + ' from ' if name else ''}{m.replace('.', '/')}.py" for m, name in shown)
    # The faulty function's own lines are not the EMA or clipping of the correct step.
    first = len(parts[0].splitlines()) + 2 if shown[0][0] == PITFALL_MODULE else 0
    features, idle = {}, {}
    for f, pattern in FEATURE_NAMES.items():
        named, unused = _lines_of(text, pattern)
        features[f] = frozenset(i for i in named if i >= first)
        idle[f] = frozenset(i for i in unused if i >= first)
    features["bug"] = idle["bug"] = frozenset(i for i, line in enumerate(text.splitlines()) if BUG_MARK in line)
    steps = _function_lines(text, lambda name: STEP_NAME in name or (note is not None and name == note.function))
    mine = note is not None and note.paradigm == paradigm
    faulty = note.function if mine and note.in_step else None
    aside = note.function if mine and not note.in_step else None
    values = value_lines(text, paradigm, faulty, features["bug"], aside)
    return Listing(title, text, features, idle, tuple(origins), steps, values)


def _function_lines(text: str, wanted) -> frozenset[int]:
    """The 0-based lines of the top-level functions whose name is `wanted`, decorators included,
    each with the blank line after it."""
    lines, count = set(), len(text.splitlines())
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and wanted(node.name):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines.update(range(first - 1, min(node.end_lineno + 1, count)))
    return frozenset(lines)


def _lines_of(text: str, pattern: re.Pattern) -> tuple[frozenset[int], frozenset[int]]:
    """The lines about a feature, and those of them that do not run while it is off.

    About it: lines that name it in code, whole functions named after it, `if` blocks on it.
    Not run while it is off: those functions and the bodies of those `if`s (their tests run).
    """
    named, idle = set(), set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and pattern.search(tok.string):
            named.add(tok.start[0] - 1)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and pattern.search(node.name):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            named.update(range(first - 1, node.end_lineno))
            idle.update(range(first - 1, node.end_lineno))
        elif isinstance(node, ast.If) and pattern.search(ast.unparse(node.test)):
            named.update(range(node.lineno - 1, node.end_lineno))
            idle.update(range(node.body[0].lineno - 1, node.end_lineno))
    return frozenset(named), frozenset(idle)
