"""The window as a student uses it: controls re-run at once, the curves match the runner."""

import inspect

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.model.config import RunConfig
from app.model.settings import Settings
from app.training import runner
from app.training.steps import linen_step, nnx_step, optimizers
from tests.gui.conftest import RUN_TIMEOUT_MS, paused_while_animating, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window

NAMED = [
    "seedSpin",
    "lrSpin",
    "lrSlider",
    "stepsSpin",
    "optimizerCombo",
    "emaCheck",
    "emaDecaySpin",
    "clipCheck",
    "clipNormSpin",
    "runButton",
    "stopButton",
    "resetButton",
]


def test_first_run_draws_the_default_curves(window):
    lengths = window.plot.curve_lengths()
    assert lengths["linen"] == lengths["nnx"] == RunConfig().steps
    assert lengths["linen_ema"] == lengths["nnx_ema"] == 0
    loss = window.record.curve("nnx")[1]
    assert loss[-1] < 0.05 * loss[0]
    assert window.record.max_gap <= 1e-5 * loss[0]
    assert window.status.step_label.text() == "steps 0–999 of 1,000"
    assert window.status.backend_label.text() == "JAX backend: cpu"


def test_every_named_control_exists_with_a_tooltip(window):
    from PySide6.QtWidgets import QWidget

    for name in NAMED:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.toolTip().strip().endswith("."), name


def test_listings_are_the_source_the_runner_executes(window):
    linen, nnx_ = window.listings.linen_pane.text(), window.listings.nnx_pane.text()
    for fn in (linen_step.train_step, linen_step.train_step_with_ema, linen_step.loss_fn, linen_step.create_state):
        assert inspect.getsource(fn) in linen
    assert inspect.getsource(linen_step.EMATrainState) in linen
    for fn in (
        nnx_step.train_step,
        nnx_step.train_step_with_ema,
        nnx_step.update_ema,
        nnx_step.loss_fn,
        nnx_step.create,
    ):
        assert inspect.getsource(fn) in nnx_
    for text in (linen, nnx_):
        assert text.endswith(inspect.getsource(optimizers.make_tx))
    assert "state = state.apply_gradients(grads=grads)" in linen
    assert "optimizer.update(model, grads)" in nnx_


def test_toggles_mark_the_lines_that_implement_them(window, qtbot):
    def lines_with(pane, text):
        return {i for i, line in enumerate(pane.text().splitlines()) if text in line}

    ema_line = lines_with(window.listings.nnx_pane, "update_ema(ema_model, model, decay)")
    clip_line = lines_with(window.listings.nnx_pane, "optax.chain(clip, tx)")
    assert ema_line <= set(window.listings.nnx_pane.marked_lines()["dimmed"])
    window.findChild(type(window.controls.ema_check), "emaCheck").setChecked(True)
    wait_for_run(qtbot, window)
    marked = window.listings.nnx_pane.marked_lines()
    assert ema_line <= set(marked["on"]) and clip_line <= set(marked["dimmed"])
    window.controls.clip_check.setChecked(True)
    wait_for_run(qtbot, window)
    assert clip_line <= set(window.listings.nnx_pane.marked_lines()["on"])
    assert lines_with(window.listings.linen_pane, "optax.chain(clip, tx)") <= set(
        window.listings.linen_pane.marked_lines()["on"]
    )


def test_a_control_change_reruns_with_the_right_number_of_points(window, qtbot):
    window.controls.steps_spin.setValue(437)
    wait_for_run(qtbot, window)
    assert window.plot.curve_lengths()["linen"] == window.plot.curve_lengths()["nnx"] == 437
    window.controls.ema_check.setChecked(True)
    wait_for_run(qtbot, window)
    lengths = window.plot.curve_lengths()
    assert lengths["linen_ema"] == lengths["nnx_ema"] == 437
    window.controls.paradigm_combo.setCurrentIndex(window.controls.paradigm_combo.findData("nnx"))
    wait_for_run(qtbot, window)
    assert window.plot.curve_lengths()["linen"] == 0 and window.plot.curve_lengths()["nnx"] == 437


def test_the_slider_and_spin_box_stay_in_sync(window, qtbot):
    window.controls.lr_slider.setValue(0)
    assert window.controls.lr_spin.value() == pytest.approx(1e-4)
    window.controls.lr_slider.setValue(1000)
    assert window.controls.lr_spin.value() == pytest.approx(10.0)
    window.controls.lr_spin.setValue(0.01)
    assert window.controls.lr_slider.value() == 400
    wait_for_run(qtbot, window)
    assert window.record.config.lr == pytest.approx(0.01)


def test_200_rapid_changes_end_with_the_curve_of_the_last_settings(window, qtbot):
    rng = np.random.default_rng(0)
    for i in range(200):
        if i % 3 == 0:
            window.controls.lr_slider.setValue(int(rng.integers(100, 700)))
        elif i % 3 == 1:
            window.controls.seed_spin.setValue(int(rng.integers(0, 50)))
        else:
            window.controls.steps_spin.setValue(int(rng.integers(50, 3000)))
    last = window.model.settings.run
    wait_for_run(qtbot, window)
    assert window.model.status == "finished" and window.record.config == last
    expected = runner.run(last).metrics
    for p in ("linen", "nnx"):
        np.testing.assert_allclose(window.record.curve(p)[1], expected[p]["loss"], rtol=1e-6)


def test_a_steady_drag_of_the_slider_is_followed_move_by_move_to_its_end(window, qtbot):
    """A move every 16 ms, as a mouse gives them: the plot shows one move's complete curves
    after another while the hand moves, never an older move's after a newer one's, and the
    last move's at the end. Each paint is told apart by the curve it draws, against the
    runner's curve of each move's settings."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    window.model.edit(smoothing=1)  # the curve drawn is the loss itself
    ticks = list(range(300, 340))
    asked, painted = [], []  # each move's settings; (moves made, the NNX curve) at each paint

    def move():
        if len(asked) == len(ticks):
            timer.stop()
        else:
            window.controls.lr_slider.setValue(ticks[len(asked)])
            asked.append(window.model.settings.run)

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):
            record, plot = window.record, window.plot
            whole = plot.curve_lengths()["nnx"] == record.steps_done("nnx") == record.config.steps
            if event.type() == QEvent.Paint and whole and not plot.pending and asked:
                x, y = plot.loss_curves["nnx"].getData()
                painted.append((len(asked), x.astype(int), y.copy()))
            return False

    def last_move_painted():
        return bool(painted) and painted[-1][0] == len(ticks) and window.record.config == asked[-1]

    watch, timer = PaintWatch(), QTimer(interval=16)
    timer.timeout.connect(move)
    window.plot.viewport().installEventFilter(watch)
    try:
        timer.start()
        qtbot.waitUntil(last_move_painted, timeout=RUN_TIMEOUT_MS)
    finally:
        timer.stop()
        window.plot.viewport().removeEventFilter(watch)
    expected = [runner.run(config).metrics["nnx"]["loss"] for config in asked]
    shown = []  # per paint: the move whose curve it drew, and the moves made by then
    for made, x, y in painted:
        (k,) = {k for k in range(made) if np.allclose(y, expected[k][x], rtol=1e-6)} or {None}
        assert k is not None, "a paint drew a curve no move asked for"
        shown.append((k, made))
    moves = [k for k, _ in shown]
    assert moves == sorted(moves)  # never an older move after a newer one
    assert moves[-1] == len(ticks) - 1
    during = {k for k, made in shown if made < len(ticks)}  # painted while the hand still moved
    assert len(during) >= 2, shown


def test_a_new_run_with_new_display_settings_keeps_the_old_curves_until_its_first_chunk(window, qtbot):
    """A lesson step changes run and display settings at once: the plot is not emptied in
    between (it would flash), and the new run's first chunk is drawn with the new display."""
    old = window.plot.curve_lengths()["nnx"]
    assert old == window.record.config.steps
    settings = window.model.settings
    window.model.set_settings(settings.with_changes(lr=settings.run.lr * 2, smoothing=5))
    assert window.record.steps_done("nnx") == 0  # the new run has begun; nothing of it came yet
    assert window.plot.curve_lengths()["nnx"] == old
    wait_for_run(qtbot, window)
    assert window.plot.curve_lengths()["nnx"] == window.record.config.steps
    assert window.plot.raw_curves["nnx"].isVisible()  # smoothed: the raw loss faded beneath


def test_stop_keeps_the_curve_so_far(window, qtbot):
    window.controls.steps_spin.setValue(1_000_000)
    qtbot.waitUntil(lambda: len(window.record.curve("nnx")[1]) > 0, timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(window.controls.stop_button, Qt.LeftButton)
    drawn = len(window.record.curve("nnx")[1])
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        window.stop()  # a round trip: anything still in flight has arrived
    assert 0 < len(window.record.curve("nnx")[1]) == drawn < 1_000_000
    assert window.finished_run != window.run_id


def test_pause_step_and_resume_in_animate_mode(window, qtbot):
    controls = window.controls
    held = paused_while_animating(qtbot, window)
    assert controls.pause_button.text() == "Resume"
    for k in (1, 2):
        qtbot.mouseClick(controls.step_button, Qt.LeftButton)
        qtbot.waitUntil(lambda k=k: len(window.record.curve("nnx")[1]) == held + k, timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(window.runStopped, timeout=RUN_TIMEOUT_MS):
        window.stop()  # round trip while paused: no steps were added
    assert len(window.record.curve("nnx")[1]) == held + 2
    window.runs.rerun()
    qtbot.mouseClick(controls.pause_button, Qt.LeftButton)
    qtbot.mouseClick(controls.pause_button, Qt.LeftButton)  # resume
    assert controls.pause_button.text() == "Pause"
    qtbot.waitUntil(lambda: len(window.record.curve("nnx")[1]) >= 20, timeout=RUN_TIMEOUT_MS)


def test_divergence_shows_a_banner_and_keeps_the_finite_curve(window, qtbot):
    window.controls.lr_spin.setValue(5.0)
    wait_for_run(qtbot, window)
    assert window.banner.isVisible() and "step 20" in window.banner.text()
    assert "lower learning rate" in window.banner.text()
    loss = window.record.curve("linen")[1]
    assert len(loss) == 20 and np.all(np.isfinite(loss))
    window.controls.lr_spin.setValue(0.1)  # still usable
    wait_for_run(qtbot, window)
    assert not window.banner.isVisible() and window.plot.curve_lengths()["nnx"] == 1000


def test_a_worker_error_becomes_a_message_and_the_next_run_works(window, qtbot, monkeypatch):
    def broken(self, max_steps=None):
        raise RuntimeError("the device went away")

    monkeypatch.setattr(runner.Run, "advance", broken)
    window.controls.seed_spin.setValue(3)
    qtbot.waitUntil(lambda: window.model.status == "failed", timeout=RUN_TIMEOUT_MS)
    assert window.banner.isVisible() and "the device went away" in window.banner.text()
    monkeypatch.undo()
    window.controls.seed_spin.setValue(4)
    wait_for_run(qtbot, window)
    assert not window.banner.isVisible() and window.plot.curve_lengths()["nnx"] == 1000


def test_log_scale_and_reset(window, qtbot):
    window.controls.log_check.setChecked(True)
    assert window.plot.loss_plot.getAxis("left").logMode
    window.controls.optimizer_combo.setCurrentIndex(2)
    window.controls.clip_check.setChecked(True)
    wait_for_run(qtbot, window)
    assert window.plot.clip_line.isVisible()
    qtbot.mouseClick(window.controls.reset_button, Qt.LeftButton)  # the run's settings only
    wait_for_run(qtbot, window)
    assert window.record.config == RunConfig()
    assert window.plot.loss_plot.getAxis("left").logMode and window.model.settings.log_y
    assert not window.plot.clip_line.isVisible()
    window.reset_everything()  # the display too
    wait_for_run(qtbot, window)
    assert window.model.settings == Settings()
    assert not window.plot.loss_plot.getAxis("left").logMode


def test_closing_during_a_run_stops_the_thread(qtbot, qtlog):
    from app.gui import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.controls.steps_spin.setValue(1_000_000)
    qtbot.waitUntil(lambda: win.record is not None and len(win.record.curve("nnx")[1]) > 0, timeout=RUN_TIMEOUT_MS)
    thread = win.runs.thread
    win.close()
    assert thread.isFinished()
    assert not any("Destroyed while thread" in m.message for m in qtlog.records)


def test_hovering_reads_out_the_step_under_the_mouse(window, qtbot):
    from PySide6.QtCore import QPointF

    loss = window.record.curve("nnx")[1]
    position = window.plot.loss_plot.vb.mapViewToScene(QPointF(30, float(loss[30])))
    with qtbot.waitSignal(window.plot.readout) as blocker:
        window.plot.scene().sigMouseMoved.emit(position)
    text = blocker.args[0]
    assert text.startswith("step 30:") and f"NNX loss {loss[30]:.6g}" in text
    assert f"Linen loss {window.record.curve('linen')[1][30]:.6g}" in text
    assert window.status.currentMessage() == text


def test_the_digits_task_has_its_controls_curves_grid_and_listings(window, qtbot):
    from app.training.steps import digits_linen, digits_nnx

    controls = window.controls
    assert not controls.digits_box.isVisible()
    controls.steps_spin.setValue(300)
    controls.ema_check.setChecked(True)
    controls.dropout_combo.setCurrentIndex(controls.dropout_combo.findData(0.0))
    controls.task_combo.setCurrentIndex(controls.task_combo.findData("digits"))
    assert controls.digits_box.isVisible()
    wait_for_run(qtbot, window)
    assert window.record.config.task == "digits" and window.record.config.dropout == 0.0
    assert window.plot.curve_lengths()["nnx"] == 300
    expected = runner.run(window.record.config).metrics
    for p in ("linen", "nnx"):
        measured = np.isfinite(expected[p]["test_accuracy"])
        np.testing.assert_array_equal(window.record.tests(p)[0], np.flatnonzero(measured))
        np.testing.assert_allclose(window.record.tests(p)[1], expected[p]["test_accuracy"][measured])
        assert len(window.record.tests(p, "ema_test_accuracy")[1]) == measured.sum()
    assert (
        window.plot.acc_plot.isVisible() and window.side.model_views.currentWidget() is window.side.model_views.digits
    )
    view = window.side.model_views.digits
    assert view.predictions is not None and view.wrong() == int(np.sum(view.predictions != view.labels)) < 16
    assert inspect.getsource(digits_linen.advanced_train_step) in window.listings.linen_pane.text()
    assert inspect.getsource(digits_nnx.train_step) in window.listings.nnx_pane.text()
    assert window.status.accuracy_label.text().startswith("test: ")
    controls.batch_spin.setValue(32)  # a digits value: the run repeats with it
    wait_for_run(qtbot, window)
    assert window.record.config.batch_size == 32
    controls.task_combo.setCurrentIndex(controls.task_combo.findData("line"))
    wait_for_run(qtbot, window)
    assert not controls.digits_box.isVisible() and not window.plot.acc_plot.isVisible()
    assert window.side.model_views.currentWidget() is window.side.model_views.fit
    assert inspect.getsource(nnx_step.train_step) in window.listings.nnx_pane.text()


def test_a_pitfall_shows_its_caption_marked_bug_and_raised_error(window, qtbot):
    from app.model.pitfall_notes import PITFALLS

    controls = window.controls
    controls.pitfall_combo.setCurrentIndex(controls.pitfall_combo.findData("forgotten-rebind"))
    wait_for_run(qtbot, window)
    assert window.caption.isVisible() and PITFALLS["forgotten-rebind"].caption in window.caption.text()
    assert not controls.ema_check.isEnabled()
    linen = window.record.curve("linen")[1]
    assert len(linen) == 1000 and np.all(linen == linen[0])
    bug = [i for i, line in enumerate(window.listings.linen_pane.text().splitlines()) if "# BUG" in line]
    assert bug and set(bug) <= set(window.listings.linen_pane.marked_lines()["on"])
    assert "# BUG" not in window.listings.nnx_pane.text()
    controls.pitfall_combo.setCurrentIndex(controls.pitfall_combo.findData("missing-wrt"))
    qtbot.waitUntil(lambda: "NNX raised TypeError" in window.caption.text(), timeout=RUN_TIMEOUT_MS)
    wait_for_run(qtbot, window)
    assert window.plot.curve_lengths()["nnx"] == 0 and window.plot.curve_lengths()["linen"] == 1000
    controls.pitfall_combo.setCurrentIndex(0)
    wait_for_run(qtbot, window)
    assert not window.caption.isVisible() and controls.ema_check.isEnabled()
    assert "# BUG" not in window.listings.linen_pane.text()


def test_pins_keep_ghost_curves_named_by_what_differs(window, qtbot):
    from app.model.pins import MAX_PINS

    first = window.record.curve("nnx")[1].copy()
    qtbot.mouseClick(window.controls.pin_button, Qt.LeftButton)
    window.controls.lr_spin.setValue(0.03)
    wait_for_run(qtbot, window)
    assert window.plot.pin_labels == ["pin: lr 0.1"]
    np.testing.assert_array_equal(window.model.pins[0].loss, first)
    ghost = window.plot.ghosts.items[0][1]
    np.testing.assert_array_equal(ghost.yData, first)
    assert ghost in [item for item, _ in window.plot.strip.entries]
    for seed in range(1, MAX_PINS + 2):
        window.controls.seed_spin.setValue(seed)
        wait_for_run(qtbot, window)
        window.pin()
    assert len(window.model.pins) == MAX_PINS and window.model.pins[0].config.seed == 2  # the oldest went first
    assert all(label.startswith("pin: seed") for label in window.plot.pin_labels)
    qtbot.mouseClick(window.controls.clear_pins_button, Qt.LeftButton)
    assert window.model.pins == () and not [i for i in window.plot.loss_plot.items if i is ghost]


def test_the_sweep_shows_final_losses_and_the_stability_edge(window, qtbot):
    from app.gui.marked_slider import lr_to_tick
    from app.model.stability import stability_edge

    edge = stability_edge("line", "sgd", False)
    assert window.controls.lr_slider.mark == lr_to_tick(edge)
    with qtbot.waitSignal(window.sweepShown, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(window.controls.sweep_button, Qt.LeftButton)
    view = window.side.sweep_view
    assert view.isVisible() and view.sweep.edge == pytest.approx(edge)
    finite = np.isfinite(view.sweep.final_loss)
    assert len(view.curve.xData) == finite.sum() > 30 and len(view.diverged.xData) == (~finite).sum() > 0
    assert view.edge.isVisible() and view.edge.value() == pytest.approx(np.log10(edge))
    assert view.current.value() == pytest.approx(np.log10(0.1))
    window.controls.optimizer_combo.setCurrentIndex(2)  # Adam: no edge
    wait_for_run(qtbot, window)
    assert window.controls.lr_slider.mark is None
    with qtbot.waitSignal(window.sweepShown, timeout=RUN_TIMEOUT_MS):
        window.sweeps.start()
    assert not view.edge.isVisible() and "Adam" in view.note.text()
    view.close()
