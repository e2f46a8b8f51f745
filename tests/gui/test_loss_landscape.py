"""The loss landscape: the line fit's exact loss surface, its minimum, and the weights' paths."""

import numpy as np
import pytest

from app.gui.landscape_view import DENSE_STEPS, drawn_points
from app.model.line_loss import LineLoss
from app.model.tasks import line_fit_batch
from tests.gui.conftest import RUN_TIMEOUT_MS, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window


def _shown(qtbot, window):
    window.side.setCurrentWidget(window.side.landscape)
    qtbot.waitUntil(
        lambda: window.side.landscape.isVisible() and window.side.landscape.frame is not None, timeout=RUN_TIMEOUT_MS
    )
    window.side.landscape.redraw()  # the record as it stands now, not at the last timer tick
    return window.side.landscape


def test_the_surface_is_the_batch_loss_and_its_minimum_the_least_squares_line(qapp):
    x, y = line_fit_batch()
    loss = LineLoss(x, y)
    design = np.hstack([x.astype(np.float64), np.ones_like(x, np.float64)])
    (k, b), *_ = np.linalg.lstsq(design, y.astype(np.float64)[:, 0], rcond=None)
    np.testing.assert_allclose(loss.minimum, (k, b), rtol=1e-9)
    for kk, bb in [(0.0, 0.0), (1.3, -2.0), (k, b)]:
        direct = np.mean((x[:, 0].astype(np.float64) * kk + bb - y[:, 0]) ** 2)
        assert loss(kk, bb) == pytest.approx(direct, rel=1e-9)


def test_the_paths_are_the_weights_each_step_started_from(window, qtbot):
    view = _shown(qtbot, window)
    assert view.objectName() == "lossLandscape"
    record = window.record
    for p in ("linen", "nnx"):
        k, b = view.paths[p].getData()
        assert len(k) == window.record.config.steps + 1  # every step's start, then where it is now
        np.testing.assert_array_equal(k[:-1], record.curve(p, "kernel")[1])
        np.testing.assert_array_equal(b[:-1], record.curve(p, "bias")[1])
        assert (k[-1], b[-1]) == (record.shown[p]["kernel"][0, 0], record.shown[p]["bias"][0])
        dots = view.ends.getData()
        i = ("linen", "nnx").index(p)
        assert (dots[0][i], dots[1][i]) == (k[-1], b[-1])  # the dot: where the weights are now
        # The default run converges: its path ends at the minimum the star marks.
        np.testing.assert_allclose((k[-1], b[-1]), view.loss.minimum, atol=1e-3)
    (sx, sy) = view.minimum.getData()
    assert (sx[0], sy[0]) == view.loss.minimum
    k0, k1, b0, b1 = view.frame
    assert k0 <= min(k) and max(k) <= k1 and b0 <= min(b) and max(b) <= b1  # all in the frame
    assert view.surface.image.shape == (160, 160)
    rises = []
    for item in view.contours:  # each contour is where the batch loss has one value
        ck, cb = item.getData()
        loss = view.loss(ck, cb)
        np.testing.assert_allclose(loss, loss[0], rtol=1e-9)
        rises.append(loss[0] - view.loss(*view.loss.minimum))
    np.testing.assert_allclose(np.array(rises[1:]) / rises[:-1], 0.4)


def test_the_forgotten_rebind_stays_a_single_dot(window, qtbot):
    window.controls.pitfall_combo.setCurrentIndex(window.controls.pitfall_combo.findData("forgotten-rebind"))
    wait_for_run(qtbot, window)
    view = _shown(qtbot, window)
    linen = np.column_stack(view.paths["linen"].getData())
    nnx = np.column_stack(view.paths["nnx"].getData())
    assert len(np.unique(linen, axis=0)) == 1  # every step starts from the initial weights
    assert len(np.unique(nnx, axis=0)) > 100


def test_ema_paths_are_drawn_and_the_tab_is_off_for_digits(window, qtbot):
    window.controls.ema_check.setChecked(True)
    wait_for_run(qtbot, window)
    view = _shown(qtbot, window)
    k, _ = view.paths["nnx_ema"].getData()
    np.testing.assert_array_equal(k, window.record.curve("nnx", "ema_kernel")[1])  # the EMA's: no "now" point
    window.controls.task_combo.setCurrentIndex(window.controls.task_combo.findData("digits"))
    qtbot.waitUntil(lambda: window.record.config.task == "digits", timeout=RUN_TIMEOUT_MS)
    assert not window.side.isTabEnabled(window.side.indexOf(view))


def test_long_paths_are_thinned_for_drawing_only(qapp):
    keep = drawn_points(300_000)
    assert len(keep) <= 2 * DENSE_STEPS + 1
    assert list(keep[:DENSE_STEPS]) == list(range(DENSE_STEPS)) and keep[-1] == 299_999
    assert np.all(np.diff(keep) > 0)
    assert list(drawn_points(1000)) == list(range(1000))


def test_a_run_past_the_edge_draws_its_zigzag_and_never_its_flight(window, qtbot):
    """Past the stability edge the weights grow towards float32's limit: the frame holds the
    steps whose loss stayed near the start, and points far outside it are not drawn (painting
    coordinates near 1e19 crashed the painter)."""
    view = _shown(qtbot, window)
    window.controls.lr_spin.setValue(1.05)
    wait_for_run(qtbot, window)
    qtbot.waitUntil(lambda: view.record is window.record, timeout=RUN_TIMEOUT_MS)
    view.redraw()
    view.grab()  # painted without crashing
    k_all = window.record.curve("nnx", "kernel")[1]
    k, _ = view.paths["nnx"].getData()
    k0, k1, _, _ = view.frame
    assert np.max(np.abs(k_all)) > 1e6 and 10 < len(k) < len(k_all)  # it flew off; the start is drawn
    assert np.max(np.abs(k)) < 100 * (k1 - k0) + abs(k0) + abs(k1)


def test_the_edge_lesson_brings_the_landscape_beside_the_plot(window, qtbot):
    assert window.open_lesson("07-why-the-edge-is-2-over-lambda-max")
    wait_for_run(qtbot, window)
    assert window.side.currentWidget() is window.side.landscape
    plots = window.frame.splitters["plots"].sizes()
    assert plots[1] >= 0.44 * sum(plots)
    view = window.side.landscape.getViewBox()
    assert view.width() >= 250 and view.height() >= 250  # readable on the 1366×768 laptop
    assert window.plot.loss_plot.vb.width() >= 250


def test_a_single_step_draws_its_vectors_from_the_weights_it_started_from(window, qtbot):
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("momentum"))
    window.controls.clip_check.setChecked(True)
    window.controls.lr_spin.setValue(0.3)
    window.controls.steps_spin.setValue(200_000)
    view = _shown(qtbot, window)
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 10, timeout=RUN_TIMEOUT_MS)
    window.single_step()
    qtbot.waitUntil(lambda: view.arrowed is not None, timeout=RUN_TIMEOUT_MS)
    assert window.side.currentWidget() is view  # the arrows show the step: the tab stays
    values = view.arrowed.values["nnx"]
    labels = [line.toolTip() for line, _ in view.arrows]
    assert labels == ["−lr·gradient", "−lr·clipped gradient", "update applied"]
    start = (float(values["params before"]["kernel"]), float(values["params before"]["bias"]))
    update = view.arrows[-1][0].getData()
    assert (update[0][0], update[1][0]) == start
    np.testing.assert_allclose(
        (update[0][1] - start[0], update[1][1] - start[1]),
        (float(values["update applied"]["kernel"]), float(values["update applied"]["bias"])),
        rtol=1e-6,
    )
    window.controls.pause_button.click()  # resume: the run goes on, the arrows go
    qtbot.waitUntil(lambda: view.arrows == [], timeout=RUN_TIMEOUT_MS)


def test_heads_point_along_their_shafts_on_screen_and_a_diverged_step_draws_nothing(window, qtbot):
    view = _shown(qtbot, window)
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("momentum"))
    window.controls.steps_spin.setValue(200_000)
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 3, timeout=RUN_TIMEOUT_MS)
    window.single_step()
    qtbot.waitUntil(lambda: view.arrows != [], timeout=RUN_TIMEOUT_MS)
    box = view.getViewBox()
    from PySide6.QtCore import QPointF

    for line, head in view.arrows:
        k, b = line.getData()
        tail, tip = (box.mapViewToDevice(QPointF(float(k[i]), float(b[i]))) for i in (0, 1))
        # An ArrowItem at angle 0 points left, turning clockwise on screen.
        shaft = np.degrees(np.arctan2(tail.y() - tip.y(), tail.x() - tip.x()))
        assert abs((head.opts["angle"] - shaft + 180) % 360 - 180) < 1e-6
    # Past the edge every paradigm diverges: Step after the end shows the diverging step at most,
    # and the frame keeps the start of the path, not its flight.
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("sgd"))
    window.controls.lr_spin.setValue(1.05)
    window.controls.steps_spin.setValue(1000)
    wait_for_run(qtbot, window)
    window.single_step()
    qtbot.waitUntil(lambda: view.arrowed is not None and view.arrowed.step > 10, timeout=RUN_TIMEOUT_MS)
    diverged = window.record.diverged_at
    assert view.arrowed.step <= max(diverged.values())
    k0, k1, b0, b1 = view.frame
    assert k1 - k0 < 100 and b1 - b0 < 100


def test_a_pause_updates_the_step_panel_where_it_is(window, qtbot):
    window.controls.clip_check.setChecked(True)
    window.controls.lr_spin.setValue(1.2)
    window.controls.steps_spin.setValue(200_000)
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 1000, timeout=RUN_TIMEOUT_MS)
    shown = window.side.currentWidget()
    window.controls.pause_button.click()
    qtbot.waitUntil(lambda: window.side.step_view.inspection is not None, timeout=RUN_TIMEOUT_MS)
    assert window.side.currentWidget() is shown is not window.side.step_view


def test_slope_and_bias_have_one_scale_and_the_shading_covers_the_view(window, qtbot):
    view = _shown(qtbot, window)
    box = view.getViewBox()

    def one_scale():
        (k0, k1), (b0, b1) = box.viewRange()
        return box.width() / (k1 - k0) == pytest.approx(box.height() / (b1 - b0), rel=0.01)  # px per unit

    def shaded():  # the view, and not much more: shading made for a far larger range is coarse
        (k0, k1), (b0, b1) = box.viewRange()
        p = view.painted
        covers = p[0] <= k0 + 1e-9 and k1 <= p[1] + 1e-9 and p[2] <= b0 + 1e-9 and b1 <= p[3] + 1e-9
        return covers and p[1] - p[0] <= 1.5 * (k1 - k0) and p[3] - p[2] <= 1.5 * (b1 - b0)

    for width in (30, 260, 520):  # a panel barely there, a narrow one, then a wide one
        view.resize(width, 300)
        qtbot.waitUntil(lambda w=width: abs(box.width() - box.height() - (w - 300)) < 60 and one_scale() and shaded())
        (k0, k1), (b0, b1) = box.viewRange()
        f = view.frame
        assert k0 <= f[0] and f[1] <= k1 and b0 <= f[2] and f[3] <= b1  # the whole frame in view
