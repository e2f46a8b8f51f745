"""The window on the screens it is made for: a 1280×720 projector and a 1366×768 laptop (the
offscreen platform has both; see tests/conftest.py). Sizes are read off real, laid-out widgets."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication

from app.gui import MainWindow, layout
from app.gui.theme import ZOOM_STEPS
from tests.gui.conftest import shown_window, views_pending, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window

SCREENS = {"projector": (1280, 720), "laptop": (1366, 768)}
MAX_MIN_WIDTH = 1200
LONG_ERROR = "The run failed: " + "a long error message that a device or a library might give " * 12


def on_screen(qtbot, name: str) -> MainWindow:
    """A window opened on the named screen, its first run drawn."""
    screen = next(s for s in QGuiApplication.screens() if s.name() == name)
    win = MainWindow(remember=False)
    win.setScreen(screen)
    layout.fit_to_screen(win, win.frame)
    return shown_window(qtbot, win)


def settle(qtbot, win):
    """Let Qt lay the window out again, the views beside the curves shown too (the event loop
    idles meanwhile)."""
    qtbot.waitUntil(lambda: not win.plot.pending and not views_pending(win), timeout=5000)
    qtbot.wait(50)


def loss_height(win) -> float:
    return win.plot.loss_plot.vb.height()


def assert_loss_at_least(qtbot, win, pixels):
    """The loss plot's data area, once the layout has settled (Qt lays out in later turns of
    the event loop), is at least `pixels` tall."""
    try:
        qtbot.waitUntil(lambda: loss_height(win) >= pixels, timeout=2000)
    except qtbot.TimeoutError:
        pass
    assert loss_height(win) >= pixels


@pytest.fixture(params=list(SCREENS))
def screen_window(request, qtbot):
    win = on_screen(qtbot, request.param)
    yield win, SCREENS[request.param]
    win.shutdown()


def test_the_window_opens_within_its_screen(screen_window):
    win, (width, height) = screen_window
    assert win.width() <= width and win.height() <= height
    assert win.width() >= width - 10 and win.height() >= height - 40  # and uses it (but a title bar)


def test_its_minimum_size_fits_at_every_zoom_with_a_lesson_and_a_banner(screen_window, qtbot):
    win, (width, height) = screen_window
    win.open_lesson("02-the-stability-edge")
    wait_for_run(qtbot, win)
    win.model.say("error", LONG_ERROR)
    for zoom in ZOOM_STEPS:
        win.set_look(type(win.look)(zoom))
        settle(qtbot, win)
        hint = win.minimumSizeHint()
        assert hint.width() <= MAX_MIN_WIDTH, zoom
        assert hint.height() <= height, zoom
        assert win.width() <= width and win.height() <= height, zoom  # the window never grew


def test_a_long_error_is_cut_behind_details_and_never_resizes_the_window(screen_window, qtbot):
    win, _ = screen_window
    size = win.size()
    win.model.say("error", LONG_ERROR)
    settle(qtbot, win)
    banner = win.banner
    assert win.size() == size
    assert banner.details.isVisible() and banner.label.text().endswith("…") and banner.text() == LONG_ERROR
    short = banner.height()
    banner.details.click()
    settle(qtbot, win)
    assert banner.label.text() == LONG_ERROR and banner.height() > short and win.size() == size


@pytest.mark.parametrize("name", list(SCREENS))
def test_the_loss_plot_is_the_hero(qtbot, name):
    win = on_screen(qtbot, name)
    assert_loss_at_least(qtbot, win, 250)
    first = loss_height(win)
    for _ in range(3):
        win.zoom(+1)
    settle(qtbot, win)
    assert_loss_at_least(qtbot, win, 180)
    win.zoom(0)
    settle(qtbot, win)
    assert abs(loss_height(win) - first) <= 2  # the axes and the legend gave back the room larger text took
    win.open_lesson("02-the-stability-edge")
    win.lessons.next_step()  # it diverges: a banner shows too
    wait_for_run(qtbot, win)
    settle(qtbot, win)
    assert win.banner.isVisible() and win.lesson_bar.isVisible()
    assert_loss_at_least(qtbot, win, 220)
    win.shutdown()


@pytest.mark.parametrize("name", list(SCREENS))
def test_presentation_shows_the_plot_the_step_and_the_caption_large(qtbot, name, monkeypatch):
    win = on_screen(qtbot, name)
    win.open_lesson("02-the-stability-edge")
    wait_for_run(qtbot, win)
    zoom = win.look.zoom
    win.actions["Presentation"].trigger()
    settle(qtbot, win)
    assert win.isFullScreen()
    assert_loss_at_least(qtbot, win, SCREENS[name][1] / 2)
    assert not win.frame.controls_column.isVisible() and not win.side.isVisible() and not win.plot.grad_plot.isVisible()
    assert win.lesson_bar.caption.isVisible()
    assert win.lesson_bar.caption.label.font().pointSize() >= round(12 * 1.5)
    for pane, step in ((win.listings.linen_pane, "apply_gradients"), (win.listings.nnx_pane, "optimizer.update")):
        shown = pane.editor.visible_text()
        assert "def train_step(" in shown and step in shown
        assert "class " not in shown and "def make_tx" not in shown  # the step functions only
    stops = []
    monkeypatch.setattr(win, "stop", lambda: stops.append(True))
    qtbot.keyClick(win, Qt.Key_Escape)
    settle(qtbot, win)
    assert not win.presentation.active and win.look.zoom == zoom and win.frame.controls_column.isVisible()
    assert stops == []  # Esc left presentation; it stopped nothing
    qtbot.keyClick(win, Qt.Key_Escape)
    assert stops == [True]  # outside presentation, Esc stops
    win.shutdown()


def test_each_listing_opens_on_its_step(screen_window):
    win, _ = screen_window
    linen, nnx = (
        win.findChild(type(win.listings.linen_pane.editor), "linenListing"),
        win.findChild(type(win.listings.nnx_pane.editor), "nnxListing"),
    )
    assert linen is win.listings.linen_pane.editor and nnx is win.listings.nnx_pane.editor
    assert "def train_step(state, x, y)" in linen.visible_text() and "apply_gradients" in linen.visible_text()
    assert "def train_step(model, optimizer, x, y)" in nnx.visible_text() and "optimizer.update" in nnx.visible_text()


@pytest.mark.parametrize("feature", ["ema", "clip"])
def test_turning_a_feature_on_scrolls_to_its_marked_lines(window, qtbot, feature):
    for pane in (window.listings.linen_pane, window.listings.nnx_pane):
        pane.editor.verticalScrollBar().setValue(0)  # away from the step: the marks must be scrolled to
    getattr(window.controls, f"{feature}_check").setChecked(True)
    wait_for_run(qtbot, window)
    for pane in (window.listings.linen_pane, window.listings.nnx_pane):
        lines = pane.listing.feature_lines[feature]
        first = min(lines & pane.listing.step_lines or lines)  # in the step if it has any there
        assert first in pane.editor.visible_lines() and first > 5
        assert set(pane.marked_lines()["on"]) >= lines


def test_the_x_axis_follows_the_action_and_a_lesson_sets_the_view(window, qtbot):
    _, loss = window.record.curve("nnx")
    end = window.plot.loss_plot.vb.viewRange()[0][1]
    settled = int(np.argmax(np.abs(loss - loss[-1]) <= 0.02 * (loss.max() - loss.min())))
    assert settled <= end < 200  # the first 1,000 steps' action fills the axis, not 5 % of it
    window.controls.show_steps_spin.setValue(600)
    settle(qtbot, window)
    assert math.isclose(window.plot.loss_plot.vb.viewRange()[0][1], 600, rel_tol=0.03)
    window.open_lesson("03-clipping")
    wait_for_run(qtbot, window)
    assert window.model.settings.log_y and window.model.settings.show_steps is None
    window.lessons.next_step()
    wait_for_run(qtbot, window)
    settle(qtbot, window)
    assert not window.model.settings.log_y and math.isclose(
        window.plot.loss_plot.vb.viewRange()[0][1], 200, rel_tol=0.03
    )


def test_the_legend_sits_above_the_data_and_lines_grow_with_the_zoom(window, qtbot):
    plot = window.plot
    view = plot.loss_plot.vb.sceneBoundingRect()
    assert not plot.legend.sceneBoundingRect().intersects(view)
    assert [label.text for _, label in plot.legend.items] == ["Linen", "NNX"]
    width = plot.loss_curves["nnx"].opts["pen"].widthF()
    for _ in range(3):
        window.zoom(+1)
    settle(qtbot, window)
    assert plot.loss_curves["nnx"].opts["pen"].widthF() == pytest.approx(width * window.look.zoom)
    assert not plot.legend.sceneBoundingRect().intersects(plot.loss_plot.vb.sceneBoundingRect())


def test_pins_are_labelled_and_the_current_run_too(window, qtbot):
    window.pin()
    window.controls.lr_spin.setValue(0.3)
    wait_for_run(qtbot, window)
    labels = [label.text for _, label in window.plot.legend.items]
    assert labels == ["now: lr 0.3", "Linen", "NNX", "pin: lr 0.1"]


def test_digits_are_shown_at_48_px_or_more(window, qtbot):
    window.controls.task_combo.setCurrentIndex(window.controls.task_combo.findData("digits"))
    wait_for_run(qtbot, window)
    window.side.model_views.digits.grab()  # paints it
    assert window.side.model_views.digits.side >= 48 and window.side.model_views.digits.shown >= 4


def test_compiling_fades_the_old_curves_and_says_so(window, qtbot):
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("adam"))
    qtbot.waitUntil(lambda: window.plot.busy.isVisible(), timeout=30_000)
    assert window.plot.loss_curves["nnx"].opacity() < 1 and "compiling the step" in window.plot.busy.label.text()
    wait_for_run(qtbot, window)
    assert not window.plot.busy.isVisible() and window.plot.loss_curves["nnx"].opacity() == 1


def test_the_accuracy_axis_reads_zero_to_one_before_the_tests_then_follows_them_up_to_one(window, qtbot):
    window.controls.task_combo.setCurrentIndex(window.controls.task_combo.findData("digits"))
    low, high = window.plot.acc_plot.vb.viewRange()[1]
    assert low <= 0 and 1 <= high < 1.1
    wait_for_run(qtbot, window)
    tested = window.record.tests("nnx")[1]
    low, high = window.plot.acc_plot.vb.viewRange()[1]
    assert 0.5 < low < np.quantile(tested, 0.1) and 1 <= high < 1.1  # the tests' band fills the plot
    assert np.sum(tested < low) <= 0.1 * len(tested) + 1  # only the run's first tests fall below it


def test_the_sweep_is_a_panel_and_a_click_runs_a_point(window, qtbot):
    with qtbot.waitSignal(window.sweepShown, timeout=120_000):
        window.sweeps.start()
    view = window.side.sweep_view
    assert not view.isWindow() and window.side.currentWidget() is view
    settle(qtbot, window)
    lrs, losses = view.curve.getData()  # log10 of each, as drawn on the log-log axes
    pick = len(lrs) // 3
    position = view.plot.plotItem.vb.mapViewToScene(QPointF(lrs[pick], losses[pick]))
    qtbot.mouseClick(view.plot.viewport(), Qt.LeftButton, Qt.ShiftModifier, view.plot.mapFromScene(position))
    wait_for_run(qtbot, window)
    assert window.record.config.lr == window.controls.lr_spin.value() == pytest.approx(10 ** lrs[pick], rel=1e-3)
    qtbot.waitUntil(lambda: len(window.model.pins) == 1, timeout=10_000)  # Shift pinned that run
    assert window.model.pins[0].config.lr == window.record.config.lr


def test_copy_settings_as_command_puts_the_line_on_the_clipboard(window, qtbot):
    window.controls.lr_spin.setValue(0.3)
    window.controls.log_check.setChecked(True)
    wait_for_run(qtbot, window)
    window.actions["Copy Settings as Command"].trigger()
    assert QGuiApplication.clipboard().text() == "python main.py --lr 0.3 --log-y"


@pytest.mark.parametrize("controls", [0, 260])  # collapsed, and a width of the user's
def test_the_splitters_remember_their_positions(qtbot, controls):
    first = shown_window(qtbot, MainWindow())
    first.zoom(+1)  # a look that is not the default comes back too, and keeps the widths
    settle(qtbot, first)
    first.frame.splitters["right"].setSizes([300, 300])
    total = sum(first.frame.splitters["centre"].sizes())
    first.frame.splitters["centre"].setSizes([controls, total - controls])
    first.close()
    again = shown_window(qtbot, MainWindow())
    settle(qtbot, again)
    plots, listings = again.frame.splitters["right"].sizes()
    assert again.look.zoom == first.look.zoom
    assert plots == pytest.approx(listings, abs=2) and again.frame.splitters["centre"].sizes()[0] == pytest.approx(
        controls, abs=2
    )
    again.shutdown()


def _loss_box(win):
    box = win.plot.loss_plot.vb.sceneBoundingRect()
    top_left = win.plot.mapToGlobal(win.plot.mapFromScene(box.topLeft()))
    return top_left.x(), top_left.y(), round(box.width()), round(box.height())


@pytest.mark.parametrize("name", list(SCREENS))
def test_a_banner_coming_and_going_never_moves_the_plot_and_leaves_code_to_read(qtbot, name):
    """As a slider dragged back and forth across the edge: the banner (under the listings) takes
    its room from them. With a lesson open they keep five lines, and the plot gives up the rest
    at its bottom: its top, where the eye is, stays."""
    win = on_screen(qtbot, name)
    editor = win.listings.linen_pane.editor
    for lesson in (False, True):
        if lesson:
            win.open_lesson("02-the-stability-edge")
            wait_for_run(qtbot, win)
        settle(qtbot, win)
        before = _loss_box(win)
        for _ in range(2):
            win.model.say("error", LONG_ERROR)
            settle(qtbot, win)
            shown = _loss_box(win)
            assert win.banner.isVisible()
            if lesson:
                assert shown[:3] == before[:3] and shown[3] >= before[3] - win.banner.height(), (shown, before)
            else:
                assert shown == before
            assert editor.viewport().height() >= 4.5 * editor.fontMetrics().lineSpacing()  # code, not a glimpse
            win.model.set_notice(None)
            settle(qtbot, win)
            assert not win.banner.isVisible() and _loss_box(win) == before
    win.shutdown()


def test_the_digits_title_says_how_many_are_shown_whole_on_a_narrow_panel(qtbot):
    """The count of digits on screen is the title's point: a narrow panel gets a shorter
    sentence, not a cut one."""
    from app.gui.digits_view import DigitsView
    from app.model.tasks import DIGITS_GRID

    view = DigitsView()
    qtbot.addWidget(view)
    predictions = view.labels.copy()
    predictions[:4] = (predictions[:4] + 1) % 10  # four wrong
    view.show_predictions({"nnx": {"predictions": predictions}})
    for width in (600, 230):
        view.resize(width, 300)
        view.grab()  # paints it
        assert view.shown < DIGITS_GRID and "…" not in view.title
        assert view.title.startswith("NNX: 4") and f"{view.shown} shown" in view.title, view.title
