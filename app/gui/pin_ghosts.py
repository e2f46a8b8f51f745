"""The pins drawn as faded ghosts in a plot, behind the live curves: one item per pin, redrawn
whenever the model's pins change (the loss plot draws their loss, the landscape their path)."""

import pyqtgraph as pg
from PySide6.QtCore import Qt


class PinGhosts:
    def __init__(self, plot, points, colour, width: float, style=Qt.DotLine):
        """`points(pin)`: the (x, y) a pin shows here, or None; `colour(k)`: the k-th pin's."""
        self.plot, self._points, self._colour = plot, points, colour
        self._width, self._style = width, style
        self.items = []  # (the pin's index, its item), oldest first
        self.zoom = 1.0

    def show(self, pins) -> None:
        for _, item in self.items:
            self.plot.removeItem(item)
        self.items = []
        for k, pin in enumerate(pins):
            points = self._points(pin)
            if points is None:
                continue
            item = pg.PlotDataItem(*points, pen=self._pen(k))
            item.setZValue(-10)  # behind the live curves
            self.plot.addItem(item)
            self.items.append((k, item))

    def apply_zoom(self, zoom: float) -> None:
        """Lines as wide as the text zoom asks."""
        self.zoom = zoom
        for k, item in self.items:
            item.setPen(self._pen(k))

    def _pen(self, k: int):
        return pg.mkPen(self._colour(k), width=self._width * self.zoom, style=self._style)
