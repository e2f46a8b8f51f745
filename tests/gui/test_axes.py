"""ReadableAxis: log-axis labels that never print over each other, in readable numbers, on any
axis length and tick font; linear axes exactly as pyqtgraph's.

The labels checked are those the axis would draw: its own generateDrawSpecs on a shown widget."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from app.gui.axes import ReadableAxis, log_label, readable_axes, readable_number

# Plots on screen; the tick fonts, and tests/gui's settings fixture, need the application.
pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("qapp")]

TICK_PX = 16  # the tick font's size in pixels, unless a test says otherwise (12 pt at 96 dpi)
SIDES = ("left", "bottom")


def tick_font(pixels):
    font = QFont(QApplication.font())
    font.setPixelSize(pixels)
    return font


def make_plot(qtbot, x=None, y=None, size=(400, 250), font_px=TICK_PX, axes=readable_axes):
    """A shown PlotWidget; a range given (in values, not logs) puts that axis in log mode."""
    widget = pg.PlotWidget(axisItems=axes())
    qtbot.addWidget(widget)
    for side in SIDES:
        widget.getAxis(side).setStyle(tickFont=tick_font(font_px))
        widget.getAxis(side).enableAutoSIPrefix(False)  # as the app's plots
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    set_ranges(widget, x, y)
    return widget


def set_ranges(widget, x=None, y=None):
    widget.setLogMode(x=x is not None, y=y is not None)
    if x is not None:
        widget.setXRange(*np.log10(x), padding=0)
    if y is not None:
        widget.setYRange(*np.log10(y), padding=0)
    settle(widget)


def settle(widget):
    """Lay out and draw until the axes stop resizing to their labels (pyqtgraph widens an axis to
    its labels only after drawing them)."""
    for _ in range(10):
        before = [axis_size(widget.getAxis(side)) for side in SIDES]
        for side in SIDES:
            drawn(widget.getAxis(side))
        QApplication.processEvents()
        if before == [axis_size(widget.getAxis(side)) for side in SIDES]:
            return


def axis_size(axis):
    return axis.geometry().width(), axis.geometry().height()


def axis_length(axis):
    width, height = axis_size(axis)
    return height if axis.orientation in ("left", "right") else width


def set_axis_length(widget, side, pixels):
    """Resize `widget` until its `side` axis is `pixels` long."""
    for _ in range(5):
        error = pixels - axis_length(widget.getAxis(side))
        if abs(error) < 1:
            return
        width, height = widget.width(), widget.height()
        widget.resize(width, height + round(error)) if side == "left" else widget.resize(width + round(error), height)
        settle(widget)
    assert abs(axis_length(widget.getAxis(side)) - pixels) < 1


def drawn(axis):
    """The labels `axis` draws, as (box, text) in order along the axis, and its tick lines. The box
    is the text's full bounding box (pyqtgraph's own is cut to 0.8 of its height)."""
    image = QImage(8, 8, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)  # sets the painter's font to the tick font
        assert specs is not None, "the axis has no size"
        _, ticks, texts = specs
        labels = []
        for rect, _, text in texts:
            if not text:
                continue
            bounds = painter.boundingRect(QRectF(0, 0, 1000, 1000), Qt.AlignCenter, text)
            box = QRectF(0, 0, bounds.width(), bounds.height())
            box.moveCenter(rect.center())
            labels.append((box, text))
    finally:
        painter.end()
    labels.sort(key=lambda label: float(label[1]))
    return labels, ticks


def texts(labels):
    return [text for _, text in labels]


def overlapping(labels):
    return [(a, b) for i, (box_a, a) in enumerate(labels) for box_b, b in labels[i + 1 :] if box_a.intersects(box_b)]


def test_the_overlap_check_sees_boxes_that_touch_in_part():
    apart = [(QRectF(0, 0, 40, 16), "0.008"), (QRectF(0, 20, 40, 16), "0.009")]
    crowded = [(QRectF(0, 0, 40, 16), "0.008"), (QRectF(30, 10, 40, 16), "0.009"), (QRectF(90, 0, 9, 9), "0.01")]
    assert overlapping(apart) == []
    assert overlapping(crowded) == [("0.008", "0.009")]


def test_a_tenth_of_a_decade_is_labelled_evenly(qtbot):
    widget = make_plot(qtbot, y=(0.0075, 0.0105), size=(400, 250))
    labels, ticks = drawn(widget.getAxis("left"))
    assert texts(labels) == ["0.008", "0.009", "0.01"]
    assert overlapping(labels) == []
    assert len(ticks) > len(labels)  # finer unlabelled ticks (grid lines) between them


@pytest.mark.parametrize(("values", "pixels", "decade"), [((0.55, 2.3), 300, 1.0), ((0.03, 0.2), 250, 0.1)])
def test_less_than_a_decade_across_a_decade_is_labelled_on_both_sides(qtbot, values, pixels, decade):
    """A loss from 0.55 to 2.3: evenly spaced values in each decade, each with its own step
    (0.6 0.8 | 1 1.5 2), not only the ones above 1."""
    widget = make_plot(qtbot, y=values, size=(400, pixels + 60))
    set_axis_length(widget, "left", pixels)
    labels, _ = drawn(widget.getAxis("left"))
    assert overlapping(labels) == [], texts(labels)
    assert len(labels) >= 4, texts(labels)
    assert any(float(text) < decade for text in texts(labels)), texts(labels)
    assert any(float(text) == decade for text in texts(labels)), texts(labels)


@pytest.mark.parametrize(
    ("side", "values", "pixels"),
    [
        ("left", (0.0075, 0.0105), 120),
        ("left", (0.0075, 0.0105), 60),
        ("bottom", (0.0075, 0.0105), 200),
        ("left", (1e-4, 10), 200),
        ("bottom", (1e-4, 10), 200),
        ("left", (1e-12, 1e6), 150),
        ("bottom", (1e-12, 1e6), 150),
    ],
)
def test_a_short_axis_shows_two_labels_or_more_and_none_overprint(qtbot, side, values, pixels):
    widget = make_plot(qtbot, **{"x" if side == "bottom" else "y": values})
    set_axis_length(widget, side, pixels)
    labels, _ = drawn(widget.getAxis(side))
    assert overlapping(labels) == [], texts(labels)
    assert len(labels) >= 2, texts(labels)


def test_six_hundred_pixels_of_five_decades(qtbot):
    """Upright, 600 px leave room for 1, 2 and 5 of each decade; across, only for the decades (and
    pyqtgraph hides the end labels sticking out past a horizontal axis); the other ticks stay,
    unlabelled."""
    widget = make_plot(qtbot, x=(1e-4, 10), y=(1e-4, 10), size=(700, 700))
    set_axis_length(widget, "left", 600)
    set_axis_length(widget, "bottom", 600)
    left, _ = drawn(widget.getAxis("left"))
    assert texts(left) == [
        "1e-4",
        "2e-4",
        "5e-4",
        "0.001",
        "0.002",
        "0.005",
        "0.01",
        "0.02",
        "0.05",
        "0.1",
        "0.2",
        "0.5",
        "1",
        "2",
        "5",
        "10",
    ]
    bottom, ticks = drawn(widget.getAxis("bottom"))
    assert texts(bottom) == ["0.001", "0.01", "0.1", "1"]
    assert overlapping(left) == [] and overlapping(bottom) == []

    axis = widget.getAxis("bottom")
    levels = axis.tickValues(-4, 1, 600)
    assert np.allclose(levels[0][1], [-4, -3, -2, -1, 0, 1])
    minor = 10 ** np.array(levels[1][1])
    assert np.allclose(minor[:8], np.arange(2, 10) * 1e-4) and len(minor) == 5 * 8
    assert axis.tickStrings(levels[1][1], 1.0, levels[1][0]) == [None] * 40  # drawn without labels
    assert len(ticks) >= 6 - 2 + 40  # the end ticks may fall a hair outside the axis


@pytest.mark.parametrize(("font_px", "grid"), [(11, False), (16, False), (26, False), (16, True)])
def test_no_length_range_or_font_size_overprints(qtbot, font_px, grid):
    widget = make_plot(qtbot, font_px=font_px)
    if grid:
        widget.showGrid(x=True, y=True, alpha=0.25)  # as the app's plots: pyqtgraph then clips labels differently
    narrow = (0.0081, 0.0089)  # 0.0082 0.0084 ... do not fit across 250 px at 16 px; 0.0085 alone does
    ranges = [
        (0.0075, 0.0105),
        narrow,
        (0.15, 0.9),
        (0.55, 2.3),
        (0.03, 0.2),
        (0.05, 2.5),
        (1e-4, 10),
        (1e-3, 1e2),
        (1e-12, 1e6),
        (1e-300, 1e300),
    ]
    for pixels in (90, 140, 220, 360, 640):
        widget.resize(pixels + 90, pixels + 60)
        for values in ranges:
            set_ranges(widget, x=values, y=values)
            for side in SIDES:
                axis = widget.getAxis(side)
                labels, _ = drawn(axis)
                where = f"{side} {values} over {axis_length(axis):.0f} px: {texts(labels)}"
                assert overlapping(labels) == [], where
                if axis_length(axis) >= 220:
                    assert len(labels) >= (1 if values == narrow else 2), where


@pytest.mark.parametrize("font_px", [11, 16, 26])
def test_a_short_linear_axis_widens_its_labels_spacing_instead_of_overprinting(qtbot, font_px):
    widget = make_plot(qtbot, font_px=font_px)
    widget.showGrid(x=True, y=True, alpha=0.25)
    ranges = [(0, 6.5), (0, 1.1), (-3.7, 1234.5), (0.0075, 0.0105), (0, 4e36), (-1e6, 1e7)]
    widened = 0
    for pixels in (30, 45, 70, 140, 640):
        widget.resize(pixels + 90, pixels + 60)
        for values in ranges:
            widget.setXRange(*values, padding=0)
            widget.setYRange(*values, padding=0)
            settle(widget)
            for side in SIDES:
                axis = widget.getAxis(side)
                labels, ticks = drawn(axis)
                where = f"{side} {values} over {axis_length(axis):.0f} px: {texts(labels)}"
                assert overlapping(labels) == [], where
                if axis_length(axis) >= 4 * font_px:  # room for a label: never bare
                    assert labels, where
                *_, (spacing, finer) = axis.tickValues(*values, axis_length(axis))
                if finer and axis.tickStrings(finer, 1.0, spacing) == [None] * len(finer):
                    widened += 1
                    assert len(ticks) > len(labels), where  # the finer ticks stay, unlabelled
    assert widened  # pyqtgraph's own spacing would have overprinted on the short axes


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-4, "1e-4"),
        (1e-5, "1e-5"),
        (2.5e-5, "2.5e-5"),
        (0.001, "0.001"),
        (0.02, "0.02"),
        (0.0085, "0.0085"),
        (10 ** np.log10(0.0085), "0.0085"),
        (0.1 + 0.2, "0.3"),
        (1.0, "1"),
        (10.0, "10"),
        (500.0, "500"),
        (9999.0, "9999"),
        (1e4, "1e4"),
        (2e6, "2e6"),
        (1000.0012, "1000.0012"),
        (1e-300, "1e-300"),
    ],
)
def test_readable_numbers(value, text):
    assert readable_number(value) == text


def test_log_labels_beyond_the_range_of_floats():
    assert [log_label(v) for v in (np.log10(2e6), -3, 400, -400 + np.log10(2), 0.999999999999 + 400)] == [
        "2e6",
        "0.001",
        "1e400",
        "2e-400",
        "1e401",
    ]
    assert log_label(-2, scale=1000) == "10"  # the scale of an SI prefix or setScale


@pytest.mark.parametrize(
    ("values", "size"),
    [((0, 1), (400, 250)), ((-3.7, 1234.5), (300, 180)), ((0.0075, 0.0105), (500, 120)), ((-1e6, 1e7), (700, 500))],
)
def test_a_linear_axis_is_pyqtgraphs(qtbot, values, size):
    ours = make_plot(qtbot, size=size)
    theirs = make_plot(qtbot, size=size, axes=lambda: None)
    for widget in (ours, theirs):
        widget.setXRange(*values, padding=0)
        widget.setYRange(*values, padding=0)
        settle(widget)
    for side in SIDES:
        assert isinstance(ours.getAxis(side), ReadableAxis) and not isinstance(theirs.getAxis(side), ReadableAxis)
        (our_labels, our_ticks), (their_labels, their_ticks) = drawn(ours.getAxis(side)), drawn(theirs.getAxis(side))
        assert texts(our_labels) == texts(their_labels) and len(texts(our_labels)) >= 2
        assert [box for box, _ in our_labels] == [box for box, _ in their_labels]
        assert [(a, b) for _, a, b in our_ticks] == [(a, b) for _, a, b in their_ticks]
        length = axis_length(ours.getAxis(side))
        our_levels = ours.getAxis(side).tickValues(*values, length)
        assert our_levels == theirs.getAxis(side).tickValues(*values, length)
        for spacing, ticks in our_levels:
            assert ours.getAxis(side).tickStrings(ticks, 1.0, spacing) == theirs.getAxis(side).tickStrings(
                ticks, 1.0, spacing
            )
