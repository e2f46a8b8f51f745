"""Compiling ahead: once the app has been idle a moment, the step inspector of the current run's
structure, then the run structures one toggle away from it, compile on a thread of their own,
so a first Step shows its values and a toggle shows its curve at once. While a run animates
slowly enough to read step by step, its step inspector compiles the same way (the run leaves
the processor nearly idle); any other run stops new compiles from starting.

A compile cannot be interrupted, so it never runs on the run's thread: the user's run waits
only for a structure it asked for (and, if that one is compiling here right now, for the rest
of that compile, not a second one). On Linux the thread lowers its own priority (nice 19), so
it takes only the processor time the run and the window leave free (a run that waits for the
very structure compiling here leaves the processor free too). Each compile also lands in
the persistent cache (`compile_cache`), so the next launch reads it back.

`TRAIN_STEP_LAB_COMPILE_AHEAD=0` turns it off.
"""

import atexit
import os
import threading
import time

from app.model.config import DROPOUT_RATES, OPTIMIZERS, PARADIGMS, TASKS, RunConfig
from app.model.pitfall_notes import PITFALLS
from app.training import step_inspector
from app.training.compiled import is_compiled, program

IDLE_SECONDS = 1.0
"""How long nothing must have run before compiling ahead starts: a slider being dragged starts
a run every few frames, so it never competes with one."""
SWITCH = "TRAIN_STEP_LAB_COMPILE_AHEAD"


def one_toggle_away(config: RunConfig) -> list[RunConfig]:
    """Configs one control change from `config` whose structures differ from its own and from
    each other, the likeliest change first: EMA or clipping toggled, another optimizer, a
    pitfall, the other task, another paradigm; for digits, another dropout rate or batch size
    across a row boundary. Changes that make no valid run are left out."""
    changes = [
        {"ema_decay": None if config.ema_decay is not None else 0.99, "pitfall": None},
        {"clip_norm": None if config.clip_norm is not None else 1.0},
        *({"optimizer": name} for name in OPTIMIZERS),
        *({"pitfall": name} for name in PITFALLS if config.task == "line"),
        *({"task": name, "pitfall": None} for name in TASKS),
        *({"paradigm": name} for name in PARADIGMS),
    ]
    if config.task == "digits":
        changes += [{"dropout": rate} for rate in DROPOUT_RATES]
        changes += [{"batch_size": size} for size in (config.batch_size // 2, config.batch_size * 2)]
    seen = {config.structure}
    near = []
    for change in changes:
        try:
            candidate = config.with_changes(**change).runnable()
        except ValueError:
            continue
        if candidate.compiled_paradigms and candidate.structure not in seen:
            seen.add(candidate.structure)
            near.append(candidate)
    return near


class CompileAhead:
    """One low-priority thread that compiles the configs it is told are near, when idle."""

    def __init__(self):
        self.compiled: list = []
        """The structures whose programs were made ready here, in order (one compiling on
        another thread is waited for, not compiled twice)."""
        self.inspectors: list = []
        """The structures whose step inspectors were made ready here, in order."""
        self._wanted: list = []  # ("program" or "inspector", its config), the likeliest wanted first
        self._wish = None  # (config, toggles) of the last `around`, until `hold`
        self._idle_since = time.monotonic()
        self._closed = False
        self._changed = threading.Condition()
        self._thread = None

    def around(self, config: RunConfig, toggles: bool = True) -> None:
        """Nothing runs at `config` from now (or, without `toggles`, a run animates slowly):
        compile its step inspector, then (with `toggles`) what is one toggle away, once this has
        lasted IDLE_SECONDS, in place of any earlier wish. The same wish again changes nothing:
        its idle time keeps counting (a run animated slowly asks on every tick)."""
        if os.environ.get(SWITCH, "1") == "0":
            return
        with self._changed:
            if self._closed or self._wish == (config, toggles):
                return
        wanted = []
        if config.compiled_paradigms and not step_inspector.is_compiled(config.structure):
            wanted.append(("inspector", config))
        if toggles:
            wanted += [("program", c) for c in one_toggle_away(config) if not is_compiled(c.structure)]
        with self._changed:
            if self._closed:
                return
            self._wish = config, toggles
            self._wanted = wanted
            self._idle_since = time.monotonic()
            if self._thread is None and wanted:
                self._thread = threading.Thread(target=self._work, name="compile-ahead", daemon=True)
                self._thread.start()
                atexit.register(self.close)  # a compile in flight ends before the interpreter does
            self._changed.notify()

    def hold(self) -> None:
        """Something runs: start nothing new (a compile in flight ends on its own)."""
        with self._changed:
            self._wish = None
            self._wanted = []

    def close(self) -> None:
        """Forget every wish and wait for a compile in flight to end."""
        atexit.unregister(self.close)
        with self._changed:
            self._closed = True
            self._wanted = []
            self._changed.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _next(self):
        """The next ("program" or "inspector", config) once idle long enough, or None when closed."""
        with self._changed:
            while not self._closed:
                wait = self._idle_since + IDLE_SECONDS - time.monotonic()
                if self._wanted and wait <= 0:
                    return self._wanted.pop(0)
                self._changed.wait(wait if self._wanted else None)
            return None

    def _work(self):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only, on Linux
        except (AttributeError, OSError):
            pass  # elsewhere it runs at normal priority, still only while the app is idle
        while (job := self._next()) is not None:
            kind, config = job
            if kind == "inspector" and step_inspector.is_compiled(config.structure):
                continue  # a Step or Pause compiled it meanwhile
            try:
                if kind == "inspector":
                    step_inspector.compile_inspector(config)
                else:
                    program(config.structure).compile(config)
            except Exception:
                continue
            (self.inspectors if kind == "inspector" else self.compiled).append(config.structure)
