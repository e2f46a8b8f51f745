"""Nothing lost: saves and exports are whole or say why not, Ctrl+C closes the window cleanly,
settings that cannot run never raise, and the newest settings are the only ones run."""

import errno
import os
import signal
import threading

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from app import interrupts
from app.gui import dialogs
from app.gui.app import close_on_interrupt
from app.model import files
from app.model.config import RunConfig
from app.model.lessons import load_lesson
from app.training import runner
from tests.gui.conftest import RUN_TIMEOUT_MS, shown_window, wait_for_run
from tests.programs import engines_end, interrupted

pytestmark = pytest.mark.gui  # every test here builds a window


def _disk_full(_descriptor):
    raise OSError(errno.ENOSPC, "No space left on device")


def _export(window, monkeypatch, kind, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kw: (str(path), ""))
    dialogs.export(window, kind)


@pytest.mark.parametrize("kind", ["png", "svg", "csv"])
def test_an_export_says_where_it_saved(window, monkeypatch, tmp_path, kind):
    path = tmp_path / f"out.{kind}"
    _export(window, monkeypatch, kind, path)
    assert path.stat().st_size > 100 and window.statusBar().currentMessage() == f"Saved {path}"
    assert not window.banner.isVisible()


@pytest.mark.parametrize("kind", ["png", "svg", "csv"])
def test_an_export_to_a_folder_says_so(window, monkeypatch, tmp_path, kind):
    _export(window, monkeypatch, kind, tmp_path)
    assert window.banner.isVisible() and window.banner.kind == "error"
    assert f"{tmp_path}: is a folder" in window.banner.text() and "Saved" not in window.statusBar().currentMessage()


@pytest.mark.parametrize("kind", ["png", "svg", "csv"])
def test_an_export_on_a_full_disk_keeps_the_old_file_and_says_why(window, monkeypatch, tmp_path, kind):
    path = tmp_path / f"before.{kind}"
    path.write_bytes(b"the file before" * 220)
    monkeypatch.setattr(files.os, "fsync", _disk_full)
    _export(window, monkeypatch, kind, path)
    assert path.read_bytes() == b"the file before" * 220 and [p.name for p in tmp_path.iterdir()] == [path.name]
    text = window.banner.text()
    assert window.banner.kind == "error" and str(path) in text and "No space left on device" in text


def _cannot_run(window, qtbot):
    """Settings the controls allow but a run refuses: missing-wrt breaks NNX, and only Linen shows."""
    controls = window.controls
    controls.pitfall_combo.setCurrentIndex(controls.pitfall_combo.findData("missing-wrt"))
    wait_for_run(qtbot, window)
    controls.paradigm_combo.setCurrentIndex(controls.paradigm_combo.findData("linen"))
    assert "These settings cannot run: pitfall missing-wrt breaks the nnx step" in window.banner.text()


def test_settings_that_cannot_run_are_said_once_and_nothing_raises_whatever_changes_next(window, qtbot, tmp_path):
    _cannot_run(window, qtbot)
    controls = window.controls
    run = window.run_id
    controls.pace_combo.setCurrentIndex(controls.pace_combo.findData("animate"))
    controls.rate_spin.setValue(120)
    controls.lr_spin.setValue(0.3)
    controls.smoothing_slider.setValue(5)
    controls.log_check.setChecked(True)
    path = tmp_path / "class.json"
    assert window.save_step(path, "Title", "Caption.") is None
    assert not path.exists() and "The step was not saved: these settings cannot run" in window.banner.text()
    controls.reset_button.click()  # back to settings that run
    wait_for_run(qtbot, window)
    assert window.run_id > run and window.record.config == RunConfig() and not window.banner.isVisible()


def test_saving_a_step_to_a_lesson_on_a_full_disk_keeps_the_lesson(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "class.json"
    window.save_step(path, "One", "The first.")
    before = path.read_bytes()
    monkeypatch.setattr(files.os, "fsync", _disk_full)
    assert window.save_step(path, "Two", "The second.") is None
    assert path.read_bytes() == before and [s.title for s in load_lesson(path).steps] == ["One"]
    assert "The step was not saved" in window.banner.text() and "No space left on device" in window.banner.text()


def test_ctrl_c_closes_the_window_as_close_does(qtbot):
    from app.gui import MainWindow

    window = shown_window(qtbot, MainWindow())
    window.controls.pace_combo.setCurrentIndex(window.controls.pace_combo.findData("animate"))
    window.controls.steps_spin.setValue(100_000)  # a run in flight
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 0, timeout=RUN_TIMEOUT_MS)
    thread = window.runs.thread
    with interrupts.taken_over():
        close_on_interrupt(window)
        try:
            signal.raise_signal(signal.SIGINT)
            qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_TIMEOUT_MS)
            assert interrupts.interrupted()
        finally:
            signal.set_wakeup_fd(-1)
    assert thread.isFinished() and window.runs.thread is None
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # pytest's Ctrl+C again


@pytest.mark.parametrize("delay", [0.0, 0.6, 2.0, 5.0])
def test_ctrl_c_on_the_window_process_exits_130_without_a_traceback(tmp_path, delay):
    """At whatever moment it comes once main.py has taken Ctrl+C over (its imports, the engine's
    JAX, a compile, an animated run): a clean close and exit 130, the engine's process ended."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    del env["TRAIN_STEP_LAB_ENGINE"]  # as the app runs: the engine in a process of its own
    flags = ["--pace", "animate", "--rate", "200", "--steps", "3000", "--seed", "3"]
    status, _, err = interrupted(flags, delay, env=env)
    assert status == 130, err
    assert "Traceback" not in err and "Error" not in err
    assert engines_end(str(tmp_path))


@pytest.fixture
def started(monkeypatch):
    """The configs the worker starts a run of (and compiles, if new), in order."""
    configs = []

    class Recorded(runner.Run):
        def __init__(self, config, *args, **kwargs):
            configs.append(config)
            super().__init__(config, *args, **kwargs)

    monkeypatch.setattr(runner, "Run", Recorded)
    return configs


def hold_the_worker(window, qtbot) -> threading.Event:
    """Keep the training thread busy, as a long compile would, until the event returned is set."""
    busy, release = threading.Event(), threading.Event()

    def hold():  # runs in the worker's thread
        busy.set()
        release.wait(timeout=RUN_TIMEOUT_MS / 1000)

    QTimer.singleShot(0, window.runs.worker, hold)
    qtbot.waitUntil(busy.is_set, timeout=RUN_TIMEOUT_MS)
    return release


def test_the_newest_settings_are_the_only_ones_started(window, qtbot, started):
    """Thirteen changes while the worker is busy (compiling, say): the twelve superseded ones
    are dropped before they compile, and the last one runs."""
    release = hold_the_worker(window, qtbot)
    controls = window.controls
    try:
        for optimizer in ("momentum", "adam", "sgd", "momentum"):
            controls.optimizer_combo.setCurrentIndex(controls.optimizer_combo.findData(optimizer))
            controls.ema_check.toggle()
            controls.clip_check.toggle()  # twelve changes: EMA and clipping end where they began
        controls.ema_check.toggle()
    finally:
        release.set()
    wait_for_run(qtbot, window)
    last = window.model.settings.run
    assert last == RunConfig(optimizer="momentum", ema_decay=0.99)
    assert started == [last] and window.record.config == last and window.record.steps_done("nnx") == 1000


def test_a_storm_of_changes_never_raises_and_ends_on_the_last_settings(window, qtbot, tmp_path):
    """Every control, pitfalls and paradigms that cannot go together, pace, Step, Stop and saves,
    in a seeded random order: no slot raises (pytest-qt fails the test if one does), and the
    window ends showing the last settings' run, or saying why they cannot run."""
    controls = window.controls
    rng = np.random.default_rng(20)
    combos = [
        controls.paradigm_combo,
        controls.optimizer_combo,
        controls.pitfall_combo,
        controls.pace_combo,
    ]
    checks = [controls.ema_check, controls.clip_check, controls.log_check, controls.stop_at_check]
    actions = [
        lambda: (combo := combos[rng.integers(len(combos))]).setCurrentIndex(int(rng.integers(combo.count()))),
        lambda: checks[rng.integers(len(checks))].toggle(),
        lambda: controls.lr_slider.setValue(int(rng.integers(0, controls.lr_slider.maximum() + 1))),
        lambda: controls.rate_spin.setValue(int(rng.integers(1, 500))),
        lambda: controls.steps_spin.setValue(int(rng.integers(10, 2000))),
        lambda: controls.seed_spin.setValue(int(rng.integers(0, 100))),
        lambda: controls.step_button.click(),
        lambda: controls.pause_button.click(),
        lambda: controls.stop_button.click(),
        lambda: controls.pin_button.click(),
        lambda: window.save_step(tmp_path / "storm.json", "A step", "Saved in a storm."),
    ]
    for _ in range(300):
        actions[rng.integers(len(actions))]()
        if rng.random() < 0.2:
            QApplication.processEvents()  # now and then the worker's answers arrive in between
    controls.pace_combo.setCurrentIndex(controls.pace_combo.findData("instant"))
    controls.steps_spin.setValue(300)
    controls.run_button.click()
    last = window.model.settings.run
    if last.problem:
        assert f"These settings cannot run: {last.problem}." == window.banner.text()
        return
    wait_for_run(qtbot, window)
    assert window.record.config == last and window.record.steps_done(last.compiled_paradigms[0]) == 300


def test_stop_drops_a_run_asked_for_while_the_worker_was_busy(window, qtbot, started):
    release = hold_the_worker(window, qtbot)
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("adam"))
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        window.controls.stop_button.click()
        release.set()
    assert started == []  # never compiled, never run
