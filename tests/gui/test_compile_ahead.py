"""While the window idles, what one toggle needs compiles ahead: the toggle then runs at once."""

import pytest

from app.training import compile_ahead, compiled, step_inspector
from tests.gui.conftest import RUN_TIMEOUT_MS, shown_window

pytestmark = pytest.mark.gui  # every test here builds a window


def test_a_toggle_compiled_ahead_runs_without_compiling(qtbot, monkeypatch):
    monkeypatch.setattr(compiled, "_programs", {})  # nothing compiled yet in this test's window
    monkeypatch.setenv(compile_ahead.SWITCH, "1")
    monkeypatch.setattr(compile_ahead, "IDLE_SECONDS", 0.05)
    from app.gui import MainWindow

    win = shown_window(qtbot, MainWindow())
    try:
        toggled = win.record.config.with_changes(ema_decay=win.controls.ema_spin.value())
        qtbot.waitUntil(lambda: compiled.is_compiled(toggled.structure), timeout=RUN_TIMEOUT_MS)
        compiles = []
        win.model.events.status.connect(lambda status: compiles.append(win.run_id) if status == "compiling" else None)
        win.controls.ema_check.setChecked(True)
        qtbot.waitUntil(lambda: win.record.config == toggled and win.finished_run == win.run_id, timeout=RUN_TIMEOUT_MS)
        assert compiles == []
        traces = compiled.program(toggled.structure).traces  # (its inspector may compile ahead now: idle again)
        assert traces["init"] == 1 and traces["chunk"] == 1
    finally:
        win.shutdown()


def test_a_lesson_animated_step_by_step_has_its_inspector_ready(qtbot, monkeypatch):
    """ "One step, slowly" plays two steps a second: its inspector compiles meanwhile, so S
    shows the step at once, without compiling."""
    monkeypatch.setattr(compiled, "_programs", {})
    monkeypatch.setenv(compile_ahead.SWITCH, "1")
    monkeypatch.setattr(compile_ahead, "IDLE_SECONDS", 0.5)  # thirty ticks of the animation
    from app.gui import MainWindow

    win = shown_window(qtbot, MainWindow())
    try:
        assert win.open_lesson("08-one-step-slowly")
        qtbot.waitUntil(
            lambda: win.record.config is not None and step_inspector.is_compiled(win.record.config.structure),
            timeout=RUN_TIMEOUT_MS,
        )
        assert win.finished_run != win.run_id  # still playing, two steps a second
        win.single_step()
        qtbot.waitUntil(lambda: win.side.step_view.inspection is not None, timeout=RUN_TIMEOUT_MS)
        assert compiled.program(win.record.config.structure).traces["inspect"] == 1  # compiled once, ahead
    finally:
        win.shutdown()
