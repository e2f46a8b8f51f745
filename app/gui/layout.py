"""Where everything sits in the window, and how it fits the screen it is on.

The controls are a scrolling column on the left (it can be collapsed); on the right, the
lesson bar and the pitfall's caption over the plots (the loss plot is the widest and tallest
view), the model view and the sweep as tabs beside them, the listings below, and the run's
banner under everything: it comes and goes as a slider is dragged across the stability edge,
and there it takes its room from the listings without moving the plot. Text the app does not
control wraps or is cut (see `MessageBar`), so nothing a run says can widen the window.
"""

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QScrollArea, QSplitter, QStyle, QVBoxLayout, QWidget

from app.gui.style import BASE_POINT_SIZE

PREFERRED_SIZE = (1840, 1000)
"""The size the window would like; it opens smaller on a smaller screen, never larger."""
CONTROLS_WIDTH = (200, 340)
"""The controls column's least and usual width: wider controls scroll sideways."""
PLOTS_SHARE = 0.73
"""The plots' share of the right column's height; the listings take the rest."""
LISTINGS_FLOOR = 116
"""When a lesson, a caption or a banner shows, the listings give up its room down to this
height (in pixels at normal text size: a heading and about five lines of code), before the
plots give up any."""


class _KeepPlotsTall(QObject):
    """Watches the plots-and-listings splitter: the plots keep the height they have with nothing
    shown above or below them (or the height the user dragged them to) while a lesson, a banner
    or a caption shows, as long as the listings can spare the room."""

    def __init__(self, splitter):
        super().__init__(splitter)
        self.plots_height = None  # the plots' height with nothing beside them, or as dragged
        self.column = None  # the column's height when last balanced: a window resized rescales
        splitter.splitterMoved.connect(self._on_dragged)

    def eventFilter(self, splitter, event):
        if event.type() == QEvent.Resize:
            QTimer.singleShot(0, self, self._balance)  # once the splitter has taken its new size
        return False

    def _on_dragged(self, position, index):
        self.plots_height = self.parent().sizes()[0]

    def _balance(self):
        splitter = self.parent()
        if splitter.orientation() != Qt.Vertical:
            return  # presenting
        column, before = splitter.parentWidget().height(), self.column
        self.column = column
        total = sum(splitter.sizes())
        if column - splitter.height() <= 8:  # nothing above or below: the plots as they were
            if self.plots_height is None or column != before:
                self.plots_height = splitter.sizes()[0]
            elif splitter.sizes()[0] != self.plots_height and total > self.plots_height:
                splitter.setSizes([self.plots_height, total - self.plots_height])
            return
        if self.plots_height is not None and before and column != before:
            self.plots_height = round(self.plots_height * column / before)
        floor = round(LISTINGS_FLOOR * splitter.font().pointSizeF() / 12)
        wanted = min(self.plots_height or round(total * PLOTS_SHARE), total - floor)
        if splitter.sizes()[0] < wanted:
            splitter.setSizes([wanted, total - wanted])


@dataclass
class Frame:
    """What `assemble` built around the views: the controls' scrolling column and the splitters
    (by name: "centre", "right" and "plots"), which the window keeps and remembers."""

    controls_column: QScrollArea
    splitters: dict[str, QSplitter]


def assemble(window, controls, plot, side, listings, above, below) -> Frame:
    """Lay the views out as `window`'s central widget: the controls in a column, then the bars
    `above` (lesson, caption) over the plot and the `side` panels, the listings, and the bars
    `below` (the banner)."""
    scroll = QScrollArea(widgetResizable=True, objectName="controlsColumn")
    scroll.setWidget(controls)
    scroll.setMinimumWidth(CONTROLS_WIDTH[0])
    plots = QSplitter(Qt.Horizontal, objectName="plots")
    plots.addWidget(plot)
    plots.addWidget(side)
    plots.setStretchFactor(0, 3)
    plots.setStretchFactor(1, 1)
    plots.setCollapsible(0, False)
    for view in (side, listings):
        view.setMinimumHeight(1)  # squeezed rather than making the window taller than a screen
    right = QSplitter(Qt.Vertical, objectName="right")
    right.addWidget(plots)
    right.addWidget(listings)
    right.setStretchFactor(0, 2)
    right.setStretchFactor(1, 1)
    right.setCollapsible(0, False)
    right.installEventFilter(_KeepPlotsTall(right))
    # The bars sit above and below the splitter: the space they take comes from the listings
    # first (see _KeepPlotsTall), not from the plots.
    column = QWidget()
    column_layout = QVBoxLayout(column)
    column_layout.setContentsMargins(0, 0, 0, 0)
    column_layout.setSpacing(0)  # the bars have their own margins
    for bar in above:
        column_layout.addWidget(bar)
    column_layout.addWidget(right, 1)
    for bar in below:
        column_layout.addWidget(bar)
    centre = QSplitter(Qt.Horizontal, objectName="centre")
    centre.addWidget(scroll)
    centre.addWidget(column)
    centre.setStretchFactor(1, 1)
    centre.setCollapsible(1, False)
    window.setCentralWidget(centre)
    return Frame(scroll, {s.objectName(): s for s in (centre, right, plots)})


def fit_to_screen(window, frame: Frame):
    """Size the window to its screen's free area (never larger than it), and place it there."""
    available = window.screen().availableGeometry()
    outside = window.frameGeometry().size() - window.geometry().size()  # title bar and borders, once shown
    if outside.isEmpty() and window.isHidden():  # not shown yet: leave room for a title bar
        outside = QSize(0, window.style().pixelMetric(QStyle.PM_TitleBarHeight))
    width = min(PREFERRED_SIZE[0], available.width() - outside.width())
    height = min(PREFERRED_SIZE[1], available.height() - outside.height())
    window.resize(width, height)
    window.move(available.left() + (available.width() - width - outside.width()) // 2, available.top())
    share_space(window, frame)


def fit_controls(frame: Frame):
    """Widen (or narrow) the controls column to its controls at the current text size, up to
    its usual width grown with the text, and two fifths of the window."""
    centre = frame.splitters["centre"]
    total = sum(centre.sizes())
    grown = frame.controls_column.widget().font().pointSizeF() / BASE_POINT_SIZE
    width = min(_controls_width(frame), round(CONTROLS_WIDTH[1] * grown), total * 2 // 5)
    if centre.sizes()[0]:  # a collapsed column stays collapsed
        centre.setSizes([width, total - width])


def _controls_width(frame: Frame) -> int:
    """The column's width for the controls as laid out now (a scroll bar beside them)."""
    return max(frame.controls_column.widget().sizeHint().width() + 24, CONTROLS_WIDTH[0])


def share_space(window, frame: Frame):
    """The splitters' starting shares: controls at their usual width, `PLOTS_SHARE` of the
    height for the plots, a quarter of the plots' width for the model view."""
    width, height = window.width(), window.height()
    controls = min(CONTROLS_WIDTH[1], _controls_width(frame))
    frame.splitters["centre"].setSizes([controls, width - controls])
    plots = round(height * PLOTS_SHARE)
    frame.splitters["right"].setSizes([plots, height - plots])
    rest = width - controls
    frame.splitters["plots"].setSizes([rest * 3 // 4, rest // 4])
