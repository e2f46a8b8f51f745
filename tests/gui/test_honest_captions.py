"""What the window says is true for the run it shows: pitfalls, legends, tooltips, divergence."""

import numpy as np
import pytest

from app.gui import MainWindow
from app.model.config import RunConfig
from app.model.lessons import built_in_lessons, load_lesson
from app.model.pitfall_notes import PITFALLS
from app.training.steps.digits_loss import smooth_labels
from tests.gui.conftest import shown_window, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window


def _pick_pitfall(window, qtbot, name):
    combo = window.controls.pitfall_combo
    combo.setCurrentIndex(combo.findData(name))
    wait_for_run(qtbot, window)


def test_the_clip_pitfall_turns_clipping_on_and_says_so(window, qtbot):
    _pick_pitfall(window, qtbot, "clip-update-misuse")
    assert window.controls.clip_check.isChecked() and window.record.config.clip_norm == 1.0
    assert "Clipping is on with this pitfall" in window.caption.text()
    assert "raised" in window.caption.text()  # the faulty Linen call's own error is shown
    assert np.isfinite(window.record.curve("nnx")[1]).all()


def test_the_optimizer_pitfall_switches_sgd_to_momentum_and_says_why(window, qtbot):
    assert window.record.config.optimizer == "sgd"
    _pick_pitfall(window, qtbot, "optimizer-in-loop")
    assert window.record.config.optimizer == "momentum"
    assert window.controls.optimizer_combo.currentData() == "momentum"
    assert "Switched to SGD + momentum" in window.caption.text()
    linen, nnx = window.record.curve("linen")[1], window.record.curve("nnx")[1]
    assert np.max(np.abs(linen - nnx)) > 1e-3  # the reset now shows


def test_a_pitfall_keeps_a_setting_the_user_chose(window, qtbot):
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("adam"))
    wait_for_run(qtbot, window)
    _pick_pitfall(window, qtbot, "optimizer-in-loop")
    assert window.record.config.optimizer == "adam" and "Switched" not in window.caption.text()


@pytest.mark.parametrize("name", [n for n, note in PITFALLS.items() if note.curve])
def test_the_legend_names_the_curve_that_carries_the_bug(window, qtbot, name):
    _pick_pitfall(window, qtbot, name)
    window.plot.redraw()
    labels = [label.text for _, label in window.plot.legend.items]  # one legend for all three plots
    note = PITFALLS[name]
    assert note.curve in labels
    other = "NNX" if note.paradigm == "linen" else "Linen"
    assert other in labels


def test_tooltips_say_what_the_run_does(window):
    controls = window.controls
    targets = np.asarray(smooth_labels(np.array([0]), 0.1))[0]
    assert f"{targets[0]:.2g} for the right class and {targets[1]:.2g}" in controls.smoothing_check.toolTip()
    assert "minibatch" in controls.seed_spin.toolTip() and "dropout" in controls.seed_spin.toolTip()
    assert "new minibatch every step" in controls.steps_spin.toolTip()


def test_a_diverged_run_shows_its_own_last_line_and_marks_the_step(window, qtbot):
    window.controls.lr_spin.setValue(5.0)
    wait_for_run(qtbot, window)
    k = int(min(window.record.curve(p)[0][-1] for p in ("linen", "nnx"))) + 1  # the first non-finite step
    assert window.plot.divergence.line is not None and window.plot.divergence.line.value() == k
    mark = window.plot.divergence
    assert " ".join(mark.label.toPlainText().split()) == f"diverged at step {k:,}"  # on one line or two
    (x0, x1), (y0, y1) = window.plot.loss_plot.vb.viewRange()
    assert x0 <= mark.label.pos().x() < x1 and y0 < mark.label.pos().y() <= y1  # in view
    note = window.side.model_views.fit.note_text()
    assert note.startswith(f"diverged at step {k:,}\nlast line: slope ")  # both diverged: no names
    assert "nan" not in note and "inf" not in note
    slope = float(note.rsplit(" ", 1)[1])
    xs, ys = window.side.model_views.fit.lines["nnx"].getData()
    assert np.all(np.isfinite(ys)) and np.max(np.abs(ys)) > 10  # this run's last weights, far off
    assert slope == pytest.approx((ys[1] - ys[0]) / (xs[1] - xs[0]), rel=0.05)  # the line drawn
    assert window.status.step_label.text() == f"diverged at step {k:,} of 1,000"
    window.controls.lr_spin.setValue(0.1)
    wait_for_run(qtbot, window)
    assert window.plot.divergence.line is None and window.side.model_views.fit.note_text() == ""


def test_clipped_sgd_keeps_the_edge_mark_and_says_it_bounces(window, qtbot):
    window.controls.clip_check.setChecked(True)
    wait_for_run(qtbot, window)
    assert window.controls.lr_slider.mark is not None
    assert "bouncing above the minimum" in window.controls.lr_slider.toolTip()
    assert window.record.config == RunConfig(clip_norm=1.0)


def test_the_speed_shown_is_this_runs(window, qtbot):
    assert window.status.speed_label.text().endswith("steps/s")  # the default run, flat out
    window.controls.pace_combo.setCurrentIndex(window.controls.pace_combo.findData("animate"))
    window.controls.steps_spin.setValue(10)
    wait_for_run(qtbot, window)
    assert window.status.speed_label.text() == ""  # too few steps a chunk to measure: no stale figure


@pytest.mark.parametrize("path", built_in_lessons(), ids=lambda p: p.stem)
def test_every_lesson_step_is_shown_by_the_controls_as_written(window, path):
    for step in load_lesson(path).steps:
        window.model.set_settings(step.settings)
        assert window.model.settings == step.settings, step.title
        shown = window.controls.lr_spin.text()  # as the caption writes it: 1.046, not 1.05
        assert float(shown) == step.settings.run.lr, (step.title, shown)


def test_a_combination_that_cannot_run_says_so_and_closing_still_ends_the_thread(qtbot):
    win = shown_window(qtbot, MainWindow())
    _pick_pitfall(win, qtbot, "forgotten-rebind")
    run = win.run_id
    win.controls.paradigm_combo.setCurrentIndex(win.controls.paradigm_combo.findData("nnx"))
    assert win.run_id == run and win.banner.isVisible() and "cannot run" in win.banner.text()
    thread = win.runs.thread
    win.close()
    assert thread.isFinished() and win.runs.thread is None


def test_reaching_the_stop_target_ends_the_run_and_keeps_a_sweep_going(window, qtbot):
    controls = window.controls
    window.model.edit(task="digits", steps=100_000, pace="animate", rate=50)
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 0, timeout=120_000)
    window.sweeps.start()
    view = window.side.sweep_view
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=120_000)
    with qtbot.waitSignal(window.runFinished, timeout=10_000):  # what --screenshot waits for
        controls.stop_at_spin.setValue(100.0)
        controls.stop_at_check.setChecked(True)  # a target the next step reaches
    steps = window.record.reached
    assert set(steps) == {"linen", "nnx"} and steps["linen"] == steps["nnx"]
    assert window.record.steps_done("nnx") < 100_000
    assert window.banner.text() == f"Stopped: the loss reached 100 (Linen and NNX at step {steps['nnx']:,})."
    reached = view.progress.value()
    qtbot.waitUntil(lambda: view.progress.value() > reached, timeout=60_000)
    assert "Stopped" not in view.note.text()
    window.stop()


def test_a_divergence_only_the_pitfall_causes_is_not_blamed_on_the_learning_rate(window, qtbot):
    window.controls.lr_spin.setValue(1.2)  # past plain SGD's edge, inside momentum's
    _pick_pitfall(window, qtbot, "optimizer-in-loop")  # switches to momentum: NNX's rebuilt one acts as SGD
    assert window.record.config.optimizer == "momentum"
    assert "nnx" in window.record.diverged_at and "linen" not in window.record.diverged_at
    text = window.banner.text()
    assert "the pitfall in NNX, not the learning rate, is the cause" in text and "Try a lower" not in text
    window.controls.pitfall_combo.setCurrentIndex(0)
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("sgd"))
    wait_for_run(qtbot, window)
    assert (
        set(window.record.diverged_at) == {"linen", "nnx"}
        and "Try a lower learning rate than 1.2" in window.banner.text()
    )


def test_the_plot_says_when_it_shows_less_than_the_run(window, qtbot):
    note = window.plot.strip.note
    end = round(window.plot.loss_plot.vb.viewRange()[0][1] / 1.02)  # the range is padded by 2 %
    assert note.text() == f"steps 0–{end:,} of 1,000, then flat" and end < 200
    window.controls.show_steps_spin.setValue(300)
    wait_for_run(qtbot, window)
    assert note.text() == "steps 0–300 of 1,000"
    window.controls.show_steps_spin.setValue(window.controls.show_steps_spin.minimum())
    window.controls.steps_spin.setValue(30)  # a run the loss moves through to its end
    wait_for_run(qtbot, window)
    assert note.text() == ""
