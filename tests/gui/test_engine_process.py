"""The training engine in a process of its own, as the app runs it: the runner's very curves,
Pause, Step and a sweep across the pipe, an engine that dies said in the banner and replaced by
the next run, none left behind by a closed window, and the window's process free of JAX."""

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app import engine_launch
from app.gui import MainWindow
from app.gui.engine_process import EngineProcess
from app.model.config import RunConfig
from app.training import runner
from app.training.sweep import SweepRun, sweep
from tests.gui.conftest import RUN_TIMEOUT_MS, paused_while_animating, shown_window, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setenv(engine_launch.SWITCH, "process")
    win = shown_window(qtbot, MainWindow())
    yield win
    win.shutdown()


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_engine_s_process_runs_the_runner_s_steps_pauses_steps_and_sweeps(window, qtbot):
    engine = window.runs.worker
    assert isinstance(engine, EngineProcess) and engine.pid not in (None, os.getpid())
    window.controls.seed_spin.setValue(5)
    wait_for_run(qtbot, window)
    expected = runner.run(window.record.config).metrics
    for p in ("linen", "nnx"):
        np.testing.assert_array_equal(window.record.curve(p)[1], expected[p]["loss"])

    controls = window.controls
    held = paused_while_animating(qtbot, window)
    qtbot.mouseClick(controls.step_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(window.side.step_view.inspection, "step", -1) == held, timeout=RUN_TIMEOUT_MS)
    assert len(window.record.curve("nnx")[1]) == held + 1

    with qtbot.waitSignal(window.sweepShown, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(controls.sweep_button, Qt.LeftButton)
    swept = window.side.sweep_view.sweep
    np.testing.assert_array_equal(swept.final_loss, sweep(window.record.config).final_loss)


def test_an_engine_that_dies_mid_run_fails_it_and_the_next_run_starts_a_new_one(window, qtbot):
    engine = window.runs.worker
    lost = engine.pid
    window.controls.steps_spin.setValue(1_000_000)
    qtbot.waitUntil(lambda: len(window.record.curve("nnx")[1]) > 0, timeout=RUN_TIMEOUT_MS)
    os.kill(lost, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.model.status == "failed", timeout=RUN_TIMEOUT_MS)
    said = window.banner.text()
    assert "training engine stopped unexpectedly (exit code -9)" in said and "starts again with the next run" in said
    held = window.record.steps_done("nnx")
    with qtbot.waitSignal(window.sweepShown, timeout=RUN_TIMEOUT_MS):  # a sweep starts a new engine too
        qtbot.mouseClick(window.controls.sweep_button, Qt.LeftButton)
    assert engine.pid not in (None, lost)
    assert window.model.status == "failed" and window.record.steps_done("nnx") == held  # not run again
    window.controls.steps_spin.setValue(1000)
    wait_for_run(qtbot, window)
    assert window.plot.curve_lengths()["nnx"] == 1000 and not window.banner.isVisible()


def test_an_engine_that_dies_between_runs_fails_nothing_and_one_mid_sweep_fails_the_sweep(window, qtbot):
    engine = window.runs.worker
    os.kill(engine.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: engine.pid is None, timeout=RUN_TIMEOUT_MS)
    assert window.model.status == "finished" and not window.banner.isVisible()
    window.controls.task_combo.setCurrentIndex(window.controls.task_combo.findData("digits"))
    wait_for_run(qtbot, window)
    failed = []
    window.runs.sweepFailed.connect(failed.append)
    qtbot.mouseClick(window.controls.sweep_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.runs.sweeping and engine.pid is not None, timeout=RUN_TIMEOUT_MS)
    os.kill(engine.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not window.runs.sweeping, timeout=RUN_TIMEOUT_MS)
    assert len(failed) == 1 and "training engine stopped unexpectedly" in failed[0]
    assert window.model.status == "finished"  # the run had finished: it did not fail


def test_a_closed_window_leaves_no_engine_behind(qtbot, monkeypatch):
    monkeypatch.setenv(engine_launch.SWITCH, "process")
    win = shown_window(qtbot, MainWindow())
    engine = win.runs.worker
    pid = engine.pid
    win.controls.steps_spin.setValue(1_000_000)  # still running when the window closes
    qtbot.waitUntil(lambda: len(win.record.curve("nnx")[1]) > 0, timeout=RUN_TIMEOUT_MS)
    win.shutdown()
    assert engine.exit_code == 0 and not running(pid)  # it ended by itself, as asked


def test_the_window_reads_the_engine_s_answers_without_loading_jax():
    """A chunk, a step's inspection and a sweep, pickled as the engine sends them, read in a
    fresh process by the window's own modules: JAX stays unloaded there."""
    config = RunConfig(steps=20)
    run = runner.Run(config)
    chunk = run.advance(10)
    swept = SweepRun(config).advance()
    answers = pickle.dumps((chunk, run.inspect_last(), swept))
    read = (
        "import pickle, sys\n"
        "import app.gui.engine_process\n"
        "chunk, inspection, sweep = pickle.loads(sys.stdin.buffer.read())\n"
        "print(chunk.end, inspection.step, len(sweep.lrs), 'jax' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", read], input=answers, capture_output=True, cwd=ROOT, timeout=60, check=True
    )
    assert done.stdout.decode().split() == ["10", "9", str(len(swept.lrs)), "False"]
