"""The layers go one way: `app.model` (numpy only) <- `app.training` (JAX, no Qt) <- `app.gui`
(Qt; only the worker loads JAX, in its thread). Checked twice: every import a module's source
names, at its top or inside a function (a lazy import still ties two modules together), and
what importing a whole layer really loads in a fresh interpreter."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
MODULES = sorted(
    ".".join(p.relative_to(APP.parent).with_suffix("").parts).removesuffix(".__init__") for p in APP.rglob("*.py")
)
QT = {"PySide6", "pyqtgraph", "shiboken6", "superqt"}
JAX = {"jax", "jaxlib", "flax", "optax"}
GUI_MAY_IMPORT_FROM_TRAINING = {"app.training.listings", "app.training.notebook"}
"""What the window may read of the training core before JAX loads: the listings' text, and the
notebook made of it (neither loads JAX)."""
WORKER = "app.gui.worker"
"""The one GUI module that loads JAX, in the training thread."""


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _imported(module: str) -> set[str]:
    """Every module `module`'s source imports, by its full dotted name."""
    path = APP.parent.joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            submodules = {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES}
            found |= submodules or {node.module}  # `from pkg import submodule` needs the submodule
    return found


def _app_imports(module: str) -> set[str]:
    return {name for name in _imported(module) if name in MODULES} - {module}


def _third_party(module: str) -> set[str]:
    return {name.split(".")[0] for name in _imported(module)}


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("app.model")])
def test_the_model_imports_neither_qt_nor_jax_nor_the_layers_above(module):
    assert not _third_party(module) & (QT | JAX)
    assert not {m for m in _app_imports(module) if m.startswith(("app.training", "app.gui", "app.cli"))}


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("app.training")])
def test_the_training_core_imports_no_qt_and_nothing_of_the_window(module):
    assert not _third_party(module) & QT
    assert not {m for m in _app_imports(module) if m.startswith(("app.gui", "app.cli"))}


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("app.gui") and m != WORKER])
def test_the_window_reads_only_the_listings_of_the_training_core(module):
    assert not _third_party(module) & JAX
    training = {m for m in _app_imports(module) if m.startswith("app.training")}
    assert training <= GUI_MAY_IMPORT_FROM_TRAINING, "the window shows before JAX loads"


def _loaded_by(modules: list[str]) -> set[str]:
    """The top-level packages importing all of `modules` loads, in one fresh interpreter: a
    package none of them loads together is loaded by none of them alone."""
    code = f"import sys, {', '.join(modules)}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_importing_the_model_loads_neither_qt_nor_jax():
    assert not _loaded_by([m for m in MODULES if m.startswith("app.model")]) & (QT | JAX)


def test_importing_the_training_core_loads_no_qt():
    assert not _loaded_by([m for m in MODULES if m.startswith("app.training")]) & QT


def test_importing_the_window_and_the_command_line_loads_no_jax():
    window = [m for m in MODULES if m.startswith("app.gui")] + ["app.cli", "app.interrupts"]
    assert not _loaded_by(window) & JAX, "the window shows before JAX loads"


def test_the_notebook_is_made_without_loading_jax():
    assert not _loaded_by(["app.training.notebook"]) & (QT | JAX), "it reads the step modules as text"


def test_no_import_cycles():
    graph = {m: _app_imports(m) for m in MODULES}
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


def test_the_checks_see_lazy_imports():
    """An import inside a function counts: the worker's JAX is seen, so the rule above bites."""
    assert "app.training.runner" in _app_imports(WORKER) and "jax" in _third_party(WORKER)
