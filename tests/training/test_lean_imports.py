"""JAX's stack imported without IPython: flax gets the answer IPython would have given it."""

import importlib.util
import subprocess
import sys

import pytest

from app.training.lean_imports import without_ipython

IPYTHON_INSTALLED = importlib.util.find_spec("IPython") is not None


def test_inside_the_block_ipython_cannot_be_imported_and_afterwards_it_can_again(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    with without_ipython(), pytest.raises(ImportError):
        import IPython  # noqa: F401
    assert "IPython" not in sys.modules  # no trace left: a later import finds it if installed


def test_an_ipython_in_use_is_left_alone(monkeypatch):
    shell = object()
    monkeypatch.setitem(sys.modules, "IPython", shell)
    with without_ipython():
        import IPython

        assert IPython is shell
    assert sys.modules["IPython"] is shell


@pytest.mark.slow  # imports JAX in a process of its own
@pytest.mark.skipif(not IPYTHON_INSTALLED, reason="IPython is not installed: nothing to leave out")
def test_the_runner_loads_without_ipython_and_flax_colours_as_it_would_have():
    """The runner loads, IPython is not imported, and flax's choice of colours at import is the
    one it makes with IPython importable (outside a shell and a terminal: none)."""
    code = """
import sys
from app.training.lean_imports import without_ipython
with without_ipython():
    from app.training import runner
from flax.nnx import reprlib
print("IPython" in sys.modules, bool(reprlib.COLOR.TYPE) == reprlib.supports_color(), "IPython" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]  # the last: asked afterwards, IPython is found
