"""JAX's stack imported without IPython, where IPython is installed but not in use.

At import, `flax.nnx` asks IPython whether it runs inside an IPython shell (to colour its
reprs), and importing IPython only to learn that costs the start-up a noticeable share of its
time. A process that has not imported IPython is not inside one: told that IPython cannot be
imported, flax reaches the same answer at once. treescope, which flax imports, then keeps its
notebook integration off for the process, which it would leave unused outside a shell anyway.
"""

import contextlib
import sys


@contextlib.contextmanager
def without_ipython():
    """While this lasts, `import IPython` fails, unless IPython is in use already."""
    if "IPython" in sys.modules:
        yield  # in use (a notebook, say): flax asks the shell that is there
        return
    sys.modules["IPython"] = None  # Python's own way to make an import fail
    try:
        yield
    finally:
        if sys.modules.get("IPython", 0) is None:
            del sys.modules["IPython"]
