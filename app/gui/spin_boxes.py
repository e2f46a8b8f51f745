"""Spin boxes for settings: ranged and explained by the settings' field table; the decimal ones
show their value in as few significant digits as hold it (three at least) and refuse nan and
inf."""

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

from app.model.settings import FIELDS, significant


class SignificantSpinBox(QDoubleSpinBox):
    """A spin box that shows significant digits, so 0.000123 and 7.5 both read naturally, and
    1.046 reads 1.046, never a rounded 1.05 beside a caption that says 1.046."""

    def textFromValue(self, value):
        return significant(value, fewest=3)

    def valueFromText(self, text):
        return float(text)

    def validate(self, text, pos):
        """Any number in range is acceptable; nan and inf are refused outright (Qt would map them
        to the maximum), a partial entry or one out of range cannot be committed."""
        try:
            value = float(text)
        except ValueError:
            return QValidator.Intermediate, text, pos
        if not math.isfinite(value):
            return QValidator.Invalid, text, pos
        if not self.minimum() <= value <= self.maximum():
            return QValidator.Intermediate, text, pos
        return QValidator.Acceptable, text, pos


def setting_spin(cls, name: str, field: str, value, step=None):
    """A spin box (objectName `name`) for the setting `field`: its window range, decimals and help."""
    box = cls()
    box.setObjectName(name)
    box.setToolTip(FIELDS[field].help)
    if FIELDS[field].decimals is not None:
        box.setDecimals(FIELDS[field].decimals)  # before the range: Qt rounds the range to them
    box.setRange(*FIELDS[field].window_range)
    if step is not None:
        box.setSingleStep(step)
    box.setValue(value)
    box.setKeyboardTracking(False)  # typing "0.05" runs once, not for "0", "0.", "0.0"
    return box
