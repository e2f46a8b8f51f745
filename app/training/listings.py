"""The source the runner executes, as the code panes show it, and the lines each feature owns.

Files are read from disk, never imported, so the window can show them before JAX loads.
"""

import ast
import importlib.util
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from app.training.pitfall_notes import PITFALLS

STEP_MODULES = {
    "line": {"linen": "app.training.linen_step", "nnx": "app.training.nnx_step"},
    "digits": {"linen": "app.training.digits_linen", "nnx": "app.training.digits_nnx"},
}
TX_MODULE = "app.training.optimizers"
TX_FUNCTION = "make_tx"
FEATURE_NAMES = {"ema": re.compile(r"ema", re.I), "clip": re.compile(r"clip|max_norm")}


@dataclass(frozen=True)
class Listing:
    """A pane's text and, per feature, the 0-based line numbers that implement it."""

    title: str
    text: str
    feature_lines: dict[str, frozenset[int]]


def module_source(module: str) -> str:
    """The text of a module's file, found without importing it."""
    return Path(importlib.util.find_spec(module).origin).read_text()


def definitions_source(module: str, name: str | None = None) -> str:
    """The exact text of a module's top-level classes and functions (or of the one named),
    from the first one's first line to the last one's last line: the code, without the
    module docstring and imports."""
    source = module_source(module)
    nodes = [
        n
        for n in ast.parse(source).body
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and (name is None or n.name == name)
    ]
    first = min([nodes[0].lineno] + [d.lineno for d in nodes[0].decorator_list])
    lines = source.splitlines(keepends=True)
    return "".join(lines[first - 1 : nodes[-1].end_lineno])


HELPERS = {
    ("line", "linen"): (),
    ("line", "nnx"): (),
    ("digits", "linen"): (("app.training.linen_step", "TrainState"), ("app.training.digits_loss", None)),
    ("digits", "nnx"): (("app.training.digits_loss", None),),
}
"""What else a step's listing shows, (module, definition or all), before the optax chain."""


PITFALL_MODULE = "app.training.pitfalls"
BUG_MARK = "# BUG"


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
    parts = [definitions_source(m, name) for m, name in shown]
    text = "\n\n".join(parts)
    title = "  +  ".join(f"{name + ' from ' if name else ''}{m.replace('.', '/')}.py" for m, name in shown)
    # The faulty function's own lines are not the EMA or clipping of the correct step.
    first = len(parts[0].splitlines()) + 2 if shown[0][0] == PITFALL_MODULE else 0
    features = {f: frozenset(i for i in _lines_of(text, pattern) if i >= first) for f, pattern in FEATURE_NAMES.items()}
    features["bug"] = frozenset(i for i, line in enumerate(text.splitlines()) if BUG_MARK in line)
    return Listing(title, text, features)


def _lines_of(text: str, pattern: re.Pattern) -> frozenset[int]:
    """Lines that name the feature in code, plus whole functions and `if` blocks about it."""
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and pattern.search(tok.string):
            lines.add(tok.start[0] - 1)
    for node in ast.walk(ast.parse(text)):
        named = isinstance(node, ast.FunctionDef) and pattern.search(node.name)
        guarded = isinstance(node, ast.If) and pattern.search(ast.unparse(node.test))
        if named or guarded:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            lines.update(range(first - 1, node.end_lineno))
    return frozenset(lines)
