"""Exercise mode: the controller runs and checks a student's file in the sandbox while the
window's event loop keeps turning, and says what every kind of failure was; the view draws the
student's curve beside the reference's and marks the line an error came through."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QProcess, QTimer

from app.gui.exercise_controller import ExerciseController
from app.model import sandbox
from app.model.app_model import AppModel
from app.model.exercises import load_exercise, work_file
from tests.gui.conftest import wait_for_run

pytestmark = pytest.mark.gui

ROOT = Path(__file__).parents[2]
CASES = ROOT / "tests" / "sandbox_cases"
SOLUTIONS = ROOT / "tests" / "exercise_solutions"
ANSWER_MS = 120_000


def _answered(qtbot, model):
    qtbot.waitUntil(lambda: model.exercise_state.status == "idle", timeout=ANSWER_MS)
    return model.exercise_state


class _Ticks:
    """A GUI-thread timer's ticks: they keep coming while the event loop turns."""

    def __init__(self):
        self.count = 0
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self):
        self.count += 1


def test_every_failure_is_said_and_the_event_loop_keeps_turning(qtbot, monkeypatch):
    model = AppModel()
    controller = ExerciseController(model)
    model.open_exercise(load_exercise("linen-train-step"))
    ticks = _Ticks()
    controller.check((SOLUTIONS / "linen-train-step" / "right.py").read_text())
    assert model.exercise_state.status == "checking"  # at once: the answer comes later
    state = _answered(qtbot, model)
    assert [r.passed for r in state.results] == [True, True, True] and state.problem is None
    monkeypatch.setattr(sandbox, "CHECK_SECONDS", 6.0)
    expected = {
        "endless-loop.py": lambda s: s.problem.startswith("did not finish within 6 s"),
        "exits.py": lambda s: s.problem.startswith("ended (exit status 3)"),
        "segfault.py": lambda s: s.problem.startswith("crashed with a segmentation fault (SIGSEGV)"),
        "huge-allocation.py": lambda s: s.failure.what.startswith("MemoryError") and s.failure.line == 3,
        "import-error.py": lambda s: s.failure.what.startswith("ModuleNotFoundError") and s.failure.line == 1,
        "hostile-reply.py": lambda s: s.problem.startswith("answered with a reply that is not JSON"),
    }
    for name, said in expected.items():
        before = ticks.count
        controller.check((CASES / name).read_text())
        state = _answered(qtbot, model)
        assert said(state), (name, state)
        assert ticks.count > before  # the window went on painting and answering meanwhile
    controller.shutdown()


def test_a_child_that_died_waiting_is_replaced(qtbot):
    model = AppModel()
    controller = ExerciseController(model)
    model.open_exercise(load_exercise("linen-train-step"))
    spare = controller.spare.process
    qtbot.waitUntil(lambda: spare.state() == QProcess.Running, timeout=10_000)
    spare.kill()  # as an out-of-memory killer would
    qtbot.waitUntil(lambda: spare.state() == QProcess.NotRunning, timeout=10_000)
    controller.check((SOLUTIONS / "linen-train-step" / "right.py").read_text())
    state = _answered(qtbot, model)
    assert [r.passed for r in state.results] == [True, True, True] and state.problem is None
    controller.shutdown()


def test_stop_ends_the_child_at_once(qtbot):
    model = AppModel()
    controller = ExerciseController(model)
    model.open_exercise(load_exercise("linen-train-step"))
    controller.check((CASES / "endless-loop.py").read_text())
    process = controller.child.process
    assert process.state() != QProcess.NotRunning
    controller.stop()
    assert process.state() == QProcess.NotRunning and controller.child is None
    assert model.exercise_state.status == "idle" and model.exercise_state.problem == "was stopped"
    controller.shutdown()
    assert controller.spare is None


def test_the_window_runs_the_students_step_beside_the_reference(window, qtbot):
    assert window.open_exercise("nnx-train-step")
    view = window.exercise_view
    assert view.isVisible() and not window.frame.splitters["right"].isVisible()
    assert "def train_step(model, optimizer, x, y):" in view.code()  # the starter, in the editor
    window.controls.steps_spin.setValue(30)
    view.editor.setPlainText((SOLUTIONS / "nnx-train-step" / "right.py").read_text())
    view.run_button.click()
    assert not view.run_button.isEnabled() and view.stop_button.isEnabled()
    state = _answered(qtbot, window.model)
    assert state.steps == tuple(range(30)) and state.failure is None and state.problem is None
    shown, yours = view.yours_curve.getData()
    _, reference = view.reference_curve.getData()
    assert list(shown) == list(range(30))
    # The right step lies on the reference (compiled for the Run: equal to float32's last bits).
    np.testing.assert_allclose(yours, reference, rtol=window.model.exercise.rtol)
    assert yours[-1] < yours[0]
    view.editor.setPlainText((SOLUTIONS / "nnx-train-step" / "wrong-shape-error.py").read_text())
    view.check_button.click()
    state = _answered(qtbot, window.model)
    assert any(r.diagnosis == "shape-error" for r in state.results)
    assert sandbox.verdict_lines(window.model.exercise, state.results, None, None) == (
        view.verdicts.toPlainText().splitlines()
    )
    (marked,) = view.editor.extraSelections()  # the line the error came through, in view
    assert marked.cursor.blockNumber() == 5 and "y.T" in marked.cursor.block().text()
    assert 5 in view.editor.visible_lines()
    exercise = window.model.exercise
    view.editor.setPlainText("# half written\n")
    window.close_exercise()
    assert work_file(exercise).read_text() == "# half written\n"  # kept for the next time
    assert not view.isVisible() and window.frame.splitters["right"].isVisible()
    wait_for_run(qtbot, window)
