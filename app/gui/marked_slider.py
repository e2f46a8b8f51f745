"""The learning-rate slider: logarithmic ticks, and one marked position (the stability edge)."""

import math

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider

from app.gui.style import WRONG
from app.model.settings import FIELDS

LR_MIN, LR_MAX = FIELDS["lr"].window_range
LR_TICKS = 1000


def lr_to_tick(lr: float) -> int:
    """Position of a learning rate on the logarithmic slider."""
    fraction = (math.log10(lr) - math.log10(LR_MIN)) / (math.log10(LR_MAX) - math.log10(LR_MIN))
    return round(min(max(fraction, 0.0), 1.0) * LR_TICKS)


def tick_to_lr(tick: int) -> float:
    exponent = math.log10(LR_MIN) + tick / LR_TICKS * (math.log10(LR_MAX) - math.log10(LR_MIN))
    return float(f"{10**exponent:.3g}")


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
        x = (
            groove.x()
            + handle.width() // 2
            + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), self.mark, span)
        )
        painter = QPainter(self)
        painter.setPen(QPen(QColor(WRONG), 3))
        painter.drawLine(QPoint(x, 0), QPoint(x, self.height()))
        painter.end()
