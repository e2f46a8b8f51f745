"""The layers, checked module by module: the model and the training core import no Qt; no GUI
module imports JAX when it is imported (the worker loads JAX in its thread); no import cycles."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
MODULES = sorted(
    ".".join(p.relative_to(APP.parent).with_suffix("").parts).removesuffix(".__init__") for p in APP.rglob("*.py")
)
QT = ("PySide6", "pyqtgraph", "shiboken6")
JAX = ("jax", "jaxlib", "flax", "optax")


def _loaded_by(module: str) -> set[str]:
    """The top-level packages importing `module` loads, in a fresh interpreter."""
    code = f"import sys, {module}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith(("app.model", "app.training"))])
def test_the_model_and_the_training_core_load_no_qt(module):
    assert not _loaded_by(module) & set(QT)


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("app.gui") or m in ("app.cli", "app.lessons")])
def test_gui_modules_load_no_jax_on_import(module):
    assert not _loaded_by(module) & set(JAX), "the window shows before JAX loads"


def _imports(module: str) -> set[str]:
    """The app modules `module` imports, at its top level or inside a function (a lazy import
    still ties the two modules together)."""
    path = APP.parent.joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            submodules = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES]
            names = submodules or [node.module]  # `from pkg import submodule` needs the submodule
        found |= {n for n in names if n in MODULES}
    return found - {module}


def test_no_import_cycles():
    graph = {m: _imports(m) for m in MODULES}
    visiting, done = [], set()

    def visit(m):
        if m in visiting:
            raise AssertionError(" -> ".join([*visiting[visiting.index(m) :], m]))
        if m in done:
            return
        visiting.append(m)
        for n in graph[m]:
            visit(n)
        visiting.pop()
        done.add(m)

    for m in MODULES:
        visit(m)
