"""A slider that can show one marked position, e.g. the learning rate where training diverges."""

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider

from app.gui.style import WRONG


class MarkedSlider(QSlider):
    """A QSlider with an optional red tick across the groove at one value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark = None

    def set_mark(self, value: int | None, tip: str = ""):
        self.mark = value
        self.setToolTip(self.toolTip().split("\n")[0] + (f"\n{tip}" if tip else ""))
        self.update()

    def paintEvent(self, event):
        super().paintEvent(event)
        if self.mark is None:
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(QStyle.CC_Slider, option, QStyle.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.CC_Slider, option, QStyle.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        x = groove.x() + handle.width() // 2 + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), self.mark, span)
        painter = QPainter(self)
        painter.setPen(QPen(QColor(WRONG), 3))
        painter.drawLine(QPoint(x, 0), QPoint(x, self.height()))
        painter.end()
