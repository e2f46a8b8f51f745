"""The training engine's process, started as early as the program knows a window will open:
its imports (JAX, Flax, optax) then run on a core of their own while the window's process
imports Qt and builds the window, and its first compile follows as soon as the window asks for
its first run. Qt-free, so `cli` can start it before Qt loads; the window adopts it
(`app.gui.engine_process`).

`TRAIN_STEP_LAB_ENGINE=thread` keeps the engine in a thread of the window's process instead
(the tests reach into it there).
"""

import os
import subprocess
import sys
from pathlib import Path

SWITCH = "TRAIN_STEP_LAB_ENGINE"

_early: subprocess.Popen | None = None


def in_process_of_its_own() -> bool:
    return os.environ.get(SWITCH, "process") != "thread"


def launch() -> subprocess.Popen:
    """A new engine process: it reads requests on its standard input and answers on its
    standard output (pickled, see `app.gui.engine_child`); what it prints goes to the
    window's standard error. It leaves with the window: its input closes then."""
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    # A Ctrl+C in the terminal is the window's to act on, not the engine's: a group of its own.
    apart = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt" else {"start_new_session": True}
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "app.gui.engine_child"],  # -P: the app's own `app`, not one in the folder
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        **apart,
    )


def launch_early() -> None:
    """Start the engine now, for the window to come (unless it runs in the window's process)."""
    global _early
    if _early is None and in_process_of_its_own():
        _early = launch()


def adopt() -> subprocess.Popen:
    """The engine started early, or a new one."""
    global _early
    child, _early = _early, None
    return child if child is not None and child.poll() is None else launch()
