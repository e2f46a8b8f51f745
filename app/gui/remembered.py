"""What the window remembers between launches (QSettings): look, geometry, last settings."""

import json

from PySide6.QtCore import QSettings

from app.gui.theme import THEMES, ZOOM_STEPS, Look
from app.lessons import preset_from_json


def save(window) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("look/theme", window.look.theme)
    settings.setValue("look/zoom", window.look.zoom)
    settings.setValue("run/preset", json.dumps(window.controls.preset().to_json()))
    settings.setValue("display/log", window.controls.log_check.isChecked())
    settings.setValue("display/smoothing", window.controls.smoothing_slider.value())
    settings.sync()


def restore(window) -> None:
    """Apply what was saved; anything missing or unusable keeps its default."""
    settings = QSettings()
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    theme = settings.value("look/theme", "light")
    zoom = _number(settings.value("look/zoom", 1.0), 1.0)
    look = Look(zoom if min(ZOOM_STEPS) <= zoom <= max(ZOOM_STEPS) else 1.0, theme if theme in THEMES else "light")
    if look != window.look:  # the default look is already in place
        window.set_look(look)
    try:
        preset = preset_from_json(json.loads(settings.value("run/preset", "{}")))
    except (ValueError, TypeError):
        return
    window.controls.set_preset(preset)
    window.controls.log_check.setChecked(settings.value("display/log", False) in (True, "true"))
    window.controls.smoothing_slider.setValue(int(_number(settings.value("display/smoothing", 0), 0)))


def forget() -> None:
    QSettings().clear()


def _number(value, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
