"""Light and dark looks and the text zoom, applied to every view the same way.

Each view has `apply_look(look)`; the window calls them all, so listings, controls, plot
axes and labels always change together.
"""

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from app.gui.style import BASE_POINT_SIZE, WRONG, sized_font

ZOOM_STEPS = (0.75, 0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5)
THEMES = ("light", "dark")


@dataclass(frozen=True)
class Look:
    zoom: float = 1.0
    theme: str = "light"

    @property
    def dark(self) -> bool:
        return self.theme == "dark"

    def pt(self, size: float = BASE_POINT_SIZE) -> int:
        """A point size, zoomed."""
        return max(6, round(size * self.zoom))

    @property
    def background(self) -> str:
        return "#1E1E1E" if self.dark else "#FFFFFF"

    @property
    def foreground(self) -> str:
        return "#E8E8E8" if self.dark else "#222222"

    @property
    def muted(self) -> str:
        return "#A0A0A0" if self.dark else "#555555"

    @property
    def grid(self) -> str:
        """Grid lines: a quarter of the muted colour over the background, mixed here, because
        opaque lines paint several times faster than translucent ones (QPainter's raster engine)."""
        return "#3E3E3E" if self.dark else "#D4D4D4"

    @property
    def backdrop(self) -> QColor:
        """The background, nearly opaque: a label over the data stays readable."""
        colour = QColor(self.background)
        colour.setAlpha(220)
        return colour

    @property
    def wrong(self) -> str:
        """Red for a divergence or a wrong prediction, readable on the background."""
        return "#FF7B72" if self.dark else WRONG

    @property
    def code_style(self) -> str:
        return "monokai" if self.dark else "default"

    @property
    def marks(self) -> dict[str, QColor]:
        if self.dark:
            return {"ema": QColor("#5C4B00"), "clip": QColor("#4F2A44"), "bug": QColor("#6E1F1A")}
        return {"ema": QColor("#FFF3C4"), "clip": QColor("#F6DDEB"), "bug": QColor("#F9C9C4")}


def zoomed(zoom: float, direction: int) -> float:
    """The next zoom step in or out from `zoom` (0 resets)."""
    if direction == 0:
        return 1.0
    index = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - zoom))
    return ZOOM_STEPS[min(max(index + direction, 0), len(ZOOM_STEPS) - 1)]


def apply_to_application(look: Look):
    """The widgets' font size and palette (in the Fusion style, so both themes look the same
    everywhere: set once, as a new style object would leave widgets measured in the old one)."""
    app = QApplication.instance()
    if app.style().name() != "fusion":
        app.setStyle(QStyleFactory.create("Fusion"))
    font = QFont(app.font())
    font.setPointSize(look.pt())
    app.setFont(font)
    palette = QPalette()
    if look.dark:
        for role, colour in (
            (QPalette.Window, "#2B2B2B"),
            (QPalette.WindowText, look.foreground),
            (QPalette.Base, look.background),
            (QPalette.AlternateBase, "#333333"),
            (QPalette.Text, look.foreground),
            (QPalette.Button, "#3A3A3A"),
            (QPalette.ButtonText, look.foreground),
            (QPalette.ToolTipBase, "#333333"),
            (QPalette.ToolTipText, look.foreground),
            (QPalette.Highlight, "#3D7AB8"),
            (QPalette.HighlightedText, "#FFFFFF"),
            (QPalette.PlaceholderText, look.muted),
        ):
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.Disabled, QPalette.Text, QColor("#777777"))
        palette.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#777777"))
        palette.setColor(QPalette.Disabled, QPalette.WindowText, QColor("#777777"))
    app.setPalette(palette)


def style_plot_item(item, look: Look, labels: dict[str, str], tick_points: float = BASE_POINT_SIZE, grid: bool = False):
    """A pyqtgraph PlotItem's axes, tick fonts, labels and (if `grid`) grid in the look."""
    pen = look.foreground
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(look.muted)
        axis.setTextPen(pen)
        axis.setStyle(tickFont=sized_font(look.pt(tick_points)))
        # pyqtgraph keeps the room of larger labels (it shrinks only by 10 px or more): measure
        # the new font's labels afresh, so a zoom undone gives the plot back its height.
        axis.textHeight = 0
        if grid:  # the grid's lines are the axis' ticks drawn across the plot, opaque
            axis.setTickPen(look.grid)
            axis.setStyle(tickAlpha=255)
    if grid:
        item.showGrid(x=True, y=True)
    for side, text in labels.items():
        item.setLabel(side, text, **{"font-size": f"{look.pt(tick_points + 2)}pt", "color": pen})


def style_legend(legend, look: Look):
    legend.setLabelTextSize(f"{look.pt()}pt")
    legend.setLabelTextColor(look.foreground)
    legend.setBrush(QColor(look.background + "CC") if look.dark else QColor(255, 255, 255, 200))
    for _, label in legend.items:  # entries already shown take the new size and colour too
        label.setText(label.text, size=f"{look.pt()}pt", color=look.foreground)
