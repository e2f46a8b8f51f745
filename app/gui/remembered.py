"""What the window remembers between launches (QSettings): look, geometry, the splitters'
positions, last settings.

The file is the user's and may hold anything: each key is read on its own, a value that
cannot be used is skipped (its default stands), and the window is told which were skipped.
"""

import json
import math

from PySide6.QtCore import QByteArray, QSettings

from app.gui.layout import fit_to_screen
from app.gui.theme import THEMES, ZOOM_STEPS, Look
from app.model.config import check_choice
from app.model.settings import Settings


def save(window) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    for name, splitter in window.frame.splitters.items():
        settings.setValue(f"splitters/{name}", splitter.saveState())
    settings.setValue("look/theme", window.look.theme)
    settings.setValue("look/zoom", window.look.zoom)
    if not window.model.problem:  # settings that cannot run (the banner says why) are not remembered
        settings.setValue("settings", json.dumps(window.model.settings.to_json()))
    settings.sync()


def restore(window) -> list[str]:
    """Apply what was saved; returns the keys that were there but could not be used."""
    settings = QSettings()
    unreadable = []

    def read(key, parse):
        if not settings.contains(key):
            return None
        try:
            return parse(settings.value(key))
        except (ValueError, TypeError, OverflowError, RecursionError):
            unreadable.append(key)
            return None

    geometry = read("window/geometry", _geometry)
    if geometry is not None and not window.restoreGeometry(geometry):
        unreadable.append("window/geometry")
    available = window.screen().availableGeometry()
    if window.width() > available.width() or window.height() > available.height():
        fit_to_screen(window, window.frame)  # saved on a larger screen: this one's size instead
    for name, splitter in window.frame.splitters.items():
        state = read(f"splitters/{name}", _geometry)
        if state is not None and not splitter.restoreState(state):
            unreadable.append(f"splitters/{name}")
    theme = read("look/theme", lambda v: _choice("theme", v, THEMES))
    zoom = read("look/zoom", lambda v: _choice("zoom", _finite(v), ZOOM_STEPS))
    look = Look(zoom or window.look.zoom, theme or window.look.theme)
    if look != window.look:
        window.set_look(look)
    remembered = read("settings", lambda v: Settings.from_json(json.loads(_text(v))))
    if remembered is not None:
        window.model.set_settings(remembered)
    return unreadable


def forget() -> None:
    QSettings().clear()


def _geometry(value) -> QByteArray:
    """Qt's own saved bytes (a window's geometry, a splitter's state)."""
    if not isinstance(value, (QByteArray, bytes)):
        raise TypeError("not saved geometry")
    return QByteArray(value)


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _finite(value) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _choice(name, value, choices):
    check_choice(name, value, choices)
    return value
