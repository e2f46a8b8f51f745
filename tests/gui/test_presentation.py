"""Presentation mode shows what each lesson step is about: whatever a caption refers to is on
screen, in presentation as in the normal window, and keys switch what stands beside the plot."""

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from app.model.lessons import built_in_lessons, load_lesson
from tests.gui.conftest import wait_for_run
from tests.gui.test_classroom_fit import on_screen, settle

pytestmark = pytest.mark.gui  # every test here builds a window

REFERENCES = {
    r"\bslider\b": lambda w: w.controls.lr_slider,
    r"Step panel|state object row": lambda w: w.side.step_view,
    r"\bshading\b|\bstar\b|\bpath\b|zig-zag": lambda w: w.side.landscape,
    r"dashed line": lambda w: w.plot.grad_plot,
    r"test.accuracy": lambda w: w.plot.acc_plot,
    r"\blisting\b": lambda w: w.listings,
    r"fit view|\bgrid\b": lambda w: w.side.model_views,
    r"\breadout\b|status bar": lambda w: w.status,
}
"""What a caption may name (a pattern), and the view that must then be on screen."""


def _steps():
    for path in built_in_lessons():
        for index in range(len(load_lesson(path).steps)):
            yield pytest.param(path, index, id=f"{path.stem[:2]}-{index + 1}")


def _first_chunk_drawn(qtbot, win):
    qtbot.waitUntil(lambda: win.record is not None and win.record.steps_done("nnx") > 0, timeout=60_000)
    settle(qtbot, win)


def _at_step(qtbot, path, index, presenting):
    """A projector window at a lesson's step `index`, normal or presenting, its run drawn."""
    win = on_screen(qtbot, "projector")
    win.open_lesson(path)
    for _ in range(index):
        win.lessons.next_step()
    if presenting:
        win.presentation.toggle()
    _first_chunk_drawn(qtbot, win)
    return win


@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("path,index", list(_steps()))
def test_what_a_caption_names_is_on_screen(qtbot, path, index, presenting):
    win = _at_step(qtbot, path, index, presenting)
    caption = load_lesson(path).steps[index].caption
    bar = win.lesson_bar
    assert bar.caption.label.text() == caption  # whole, never behind Details
    assert not bar.heading.label.text().endswith("…") and load_lesson(path).steps[index].title in bar.heading.text()
    for pattern, view in REFERENCES.items():
        if re.search(pattern, caption):
            shown = view(win)
            assert shown.isVisible() and shown.width() > 100 and shown.height() > 50, pattern
    if "sweep" in caption.lower():
        assert "Press W" in caption
        qtbot.keyClick(win, Qt.Key_W)
        qtbot.waitUntil(lambda: win.side.sweep_view is not None and win.side.sweep_view.isVisible(), timeout=5000)
    win.shutdown()


def test_keys_switch_what_stands_beside_the_plot_and_a_lesson_step_brings_its_own(qtbot):
    win = on_screen(qtbot, "projector")
    win.open_lesson("07-why-the-edge-is-2-over-lambda-max")
    win.presentation.toggle()
    _first_chunk_drawn(qtbot, win)
    assert win.side.landscape.isVisible() and not win.listings.isVisible()
    for key, shown in ((Qt.Key_C, win.listings), (Qt.Key_I, win.side.step_view), (Qt.Key_D, win.side.model_views)):
        qtbot.keyClick(win, key)
        assert shown.isVisible(), key
    qtbot.keyClick(win, Qt.Key_L)
    assert win.side.landscape.isVisible() and not win.listings.isVisible()
    win.open_lesson("01-the-seed-recipe")  # a step that names no view: the code
    assert win.listings.isVisible() and not win.side.isVisible()
    qtbot.keyClick(win, Qt.Key_S)  # a step, and its values beside the plot
    qtbot.waitUntil(lambda: win.side.step_view.isVisible(), timeout=10_000)
    assert win.model.inspection is not None and not win.listings.isVisible()
    choose = "Choose a value to see the line"
    assert choose not in win.side.step_view.heading.text()  # no line to see: the code is not on screen
    win.presentation.toggle()
    assert win.listings.isVisible() and win.side.isVisible() and win.frame.controls_column.isVisible()
    assert choose in win.side.step_view.heading.text()
    win.shutdown()


@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presentation"])
def test_the_digits_accuracy_plot_shows_the_ema_lessons_point(qtbot, presenting):
    win = on_screen(qtbot, "projector")
    win.open_lesson("04-ema-on-noisy-digits")
    win.lessons.next_step()  # EMA on: four accuracy curves
    if presenting:
        win.presentation.toggle()
    wait_for_run(qtbot, win)
    settle(qtbot, win)
    plot = win.plot.acc_plot
    assert plot.isVisible() and plot.vb.height() >= 120
    low, high = plot.vb.viewRange()[1]
    tests = win.record.tests("nnx", "ema_test_accuracy")[1]
    assert 0.5 <= low < np.nanquantile(tests, 0.1) and high >= 1.0  # the band the caption speaks of fills it
    rows = {round(label.pos().y()) for _, label in win.plot.strip.legend.items}
    assert len(rows) <= 2  # four entries, in at most two rows
    win.shutdown()


def _line_height(widget) -> int:
    return QFontMetrics(widget.font()).height()


@pytest.mark.parametrize("path", built_in_lessons(), ids=lambda p: p.stem[:2])
def test_every_text_of_a_presented_lesson_reads_from_the_back_of_the_room(qtbot, path):
    win = on_screen(qtbot, "projector")
    win.open_lesson(path)
    win.presentation.toggle()
    least = win.height() / 30  # 24 px on a 1280×720 projector
    for _ in range(len(load_lesson(path).steps)):
        _first_chunk_drawn(qtbot, win)
        bar = win.lesson_bar
        texts = [bar.heading.label, bar.caption.label, win.banner.label, win.caption.label]
        if win.listings.isVisible():
            texts += [pane.editor for pane in win.listings.panes.values()]
            texts += [pane.heading.label for pane in win.listings.panes.values()]
        if win.side.step_view.isVisible():
            texts += [win.side.step_view.tree, win.side.step_view.heading.label]
        for text in texts:
            assert _line_height(text) >= least, text.objectName() or type(text).__name__
        for plot in win.plot.plots.values():
            if plot.isVisible():
                for name in ("left", "bottom"):
                    assert QFontMetrics(plot.getAxis(name).style["tickFont"]).height() >= least
        for _, label in win.plot.strip.legend.items:  # sized in its HTML: measured as drawn
            assert label.item.boundingRect().height() >= least, label.text
        win.lessons.next_step()
    win.shutdown()


@pytest.mark.parametrize("clip", [1.0, 0.1])
def test_the_clipping_threshold_is_in_view_above_the_curves_and_named_off_them(window, qtbot, clip):
    window.controls.clip_check.setChecked(True)
    window.controls.clip_spin.setValue(clip)
    wait_for_run(qtbot, window)
    settle(qtbot, window)
    plot, line = window.plot.grad_plot, window.plot.clip_line
    low, high = plot.vb.viewRange()[1]
    assert line.isVisible() and low < clip < high  # in view, whether the curve reaches it or not
    assert line.zValue() > max(curve.zValue() for curve in window.plot.grad_curves.values())
    assert plot.titleLabel.text == f"gradient norm (dashed: clip at {clip:g})"


def test_a_pitfalls_faulty_line_is_in_view_and_a_lesson_step_without_a_panel_shows_the_data(window, qtbot):
    window.open_lesson("08-one-step-slowly")
    assert window.side.currentWidget() is window.side.step_view
    window.open_lesson("09-the-forgotten-eval-mode")
    assert window.side.currentWidget() is window.side.model_views
    pane = window.listings.nnx_pane
    (bug,) = pane.listing.feature_lines["bug"]
    qtbot.waitUntil(lambda: bug in pane.editor.visible_lines(), timeout=5000)


def test_the_listings_headings_show_whole_in_presentation(qtbot):
    win = on_screen(qtbot, "projector")
    win.presentation.toggle()
    _first_chunk_drawn(qtbot, win)
    for pane in win.listings.panes.values():
        assert pane.heading.label.text() == pane.heading.text()  # not cut to "…"
    win.shutdown()


@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presentation"])
def test_the_divergence_label_stands_whole_in_view_and_off_the_curves(qtbot, presenting):
    from app.gui.curve_styles import CURVES
    from app.gui.divergence_mark import _on_screen

    win = on_screen(qtbot, "projector")
    win.open_lesson("02-the-stability-edge")
    win.lessons.next_step()  # lr 1.2: the loss climbs from the first steps to inf at step 126
    if presenting:
        win.presentation.toggle()
    wait_for_run(qtbot, win)
    settle(qtbot, win)
    plot, mark = win.plot, win.plot.divergence
    box = plot.loss_plot.vb
    (x0, x1), (y0, y1) = box.viewRange()
    left = (mark.label.pos().x() - x0) / (x1 - x0) * box.width()
    top = (y1 - mark.label.pos().y()) / (y1 - y0) * box.height()
    size = mark.label.boundingRect()
    assert 0 <= left and left + size.width() <= box.width() + 1 and 0 <= top and top + size.height() <= box.height() + 1
    for name in CURVES:
        px, py = _on_screen(plot.loss_curves[name], x0, x1, y0, y1, box.width(), box.height())
        inside = (px >= left) & (px <= left + size.width()) & (py >= top) & (py <= top + size.height())
        assert not inside.any(), name
    win.shutdown()


QUOTING = [
    (path, index)
    for path in built_in_lessons()
    for index, step in enumerate(load_lesson(path).steps)
    if step.code is not None
]


@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize(("path", "index"), QUOTING, ids=[f"{p.stem[:2]}-{i + 1}" for p, i in QUOTING])
def test_the_code_a_caption_quotes_is_on_screen(qtbot, path, index, presenting):
    win = _at_step(qtbot, path, index, presenting)
    code = load_lesson(path).steps[index].code
    assert code in win.lesson_bar.caption.text() or code in " ".join(win.lesson_bar.caption.text().split())

    def shown():
        return any(
            any(code in pane.editor.document().findBlockByNumber(n).text() for n in pane.editor.visible_lines())
            for pane in win.listings.panes.values()
        )

    qtbot.waitUntil(shown, timeout=5000)
    assert win.listings.isVisible()
    win.shutdown()
