"""Where a launch's time goes: `python -m benchmarks.startup` (offscreen).

Each launch is a new Python process opening the window as `python main.py --task TASK` does
(`benchmarks/startup_child.py`, without the settings it remembers), with the compile cache
warm (a launch before the timed ones fills it), or empty (a first launch, as on a fresh
install). The process notes the moment each part of its start ends (the clock is the machine's
monotonic one, shared by the processes), and the parent counts from just before it started
the process. The training engine's process begins with the program, before Qt's imports, so
its imports overlap the window's start; launches with the engine in a thread of the window's
process instead take turns with them, for comparison. The engine's imports are timed again
alone, in processes of their own.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

from app import engine_launch

MARKS = [  # (mark, what ends there)
    ("python", "Python started (the interpreter and its site packages)"),
    ("qt", "Ctrl+C taken over, Qt and pyqtgraph imported"),
    ("app", "the window's modules imported"),
    ("built", "the window built"),
    ("shown", "the window on screen"),
    ("jax", "the engine's JAX, Flax and optax imported, the compile cache opened (its process began with the program)"),
    ("chunk", "the first steps back from the worker (the programs traced, read from the cache or compiled)"),
    ("painted", "the first steps painted"),
]
TARGETS = {"line": "≤ 2.0 s (aim 1.5 s)", "digits": "≤ 2 s from the cache"}
COLD_TARGETS = {"line": "≤ 3 s", "digits": "≤ 4 s"}
"""A first launch: nothing in the compile cache yet, as on a fresh install."""
ALONE = {
    "import jax": "import jax",
    "the worker's imports (JAX, Flax, optax, the runner), as the worker makes them": (
        "from app.training.lean_imports import without_ipython\n"
        "with without_ipython():\n"
        "    from app.training import runner"
    ),
    "the same, IPython imported by Flax (installed, as the test extras install it)": "from app.training import runner",
}


def launch(task: str, cache_home: str | None = None, engine: str = "process") -> dict[str, float]:
    """Seconds from just before the process started to each mark; with `cache_home`, the
    user's cache folder is there (an empty one: a first launch); `engine="thread"` runs the
    training engine in a thread of the window's process instead of its own."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", engine_launch.SWITCH: engine}
    if cache_home:
        env["XDG_CACHE_HOME"] = cache_home
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup_child", task],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    marks = dict(line.split() for line in done.stdout.splitlines() if line.partition(" ")[0] in dict(MARKS))
    if len(marks) != len(MARKS):
        raise RuntimeError(done.stderr)
    return {name: float(at) - t0 for name, at in marks.items()}


def alone(statement: str) -> float:
    """Seconds `statement` takes in a process of its own, after Python's start."""
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main(rounds=5):
    median = statistics.median
    print(f"First launches, an empty compile cache each, medians of {rounds}:\n")
    print("| task | the window on screen | the engine's imports done | the first steps painted | target |")
    print("|---|---:|---:|---:|---:|")
    for task in ("line", "digits"):
        cold = []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as home:
                cold.append(launch(task, home))
        at = {name: median(launch[name] for launch in cold) for name in ("shown", "jax", "painted")}
        print(f"| {task} | {at['shown']:.2f} s | {at['jax']:.2f} s | {at['painted']:.2f} s | {COLD_TARGETS[task]} |")
    in_thread = {}
    for task in ("line", "digits"):
        launch(task)  # fills the compile cache
        launches, in_thread[task] = [], []
        for _ in range(rounds):  # in turns with the engine in a thread, for the comparison below
            launches.append(launch(task))
            in_thread[task].append(launch(task, engine="thread")["painted"])
        print(f"\n`--task {task}`, compile cache warm, medians of {rounds} launches:\n")
        print("| part | ends at | after the part before |")
        print("|---|---:|---:|")
        before = 0.0
        for name, said in MARKS:
            at = median(launch[name] for launch in launches)
            print(f"| {said} | {at:.2f} s | {at - before:.2f} s |")
            before = at
        print(f"\nProcess start to the first steps painted: target {TARGETS[task]}.")
        print(
            f"The engine in a thread of the window's process instead (in turns with the above): "
            f"the first steps painted at {median(in_thread[task]):.2f} s."
        )
    print(f"\nThe engine's imports alone, in a process of their own, median of {rounds}:\n")
    print("| import | takes |")
    print("|---|---:|")
    for said, statement in ALONE.items():
        print(f"| {said} | {median(alone(statement) for _ in range(rounds)):.2f} s |")


if __name__ == "__main__":
    main()
