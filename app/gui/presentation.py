"""Presentation mode (F5 or View ▸ Presentation; Esc or F5 leaves): full screen, text three
zoom steps larger, and only what a lecture hall reads: the loss plot, the step functions of
both listings (beside it, one above the other) and the lesson's caption (and a banner, if the
run says something). The controls, the model view, the gradient-norm plot and the bars step
aside.
"""

from dataclasses import replace

from PySide6.QtCore import Qt

from app.gui.theme import Look, zoomed

ZOOM_STEPS = 3
PLOT_SHARE = 0.5
"""The loss plot's share of the width: the two step functions stand one above the other beside
it, where they can be larger than in a strip below it."""


def shown_look(window) -> Look:
    """The look on screen: the window's own, or three steps larger while presenting."""
    look = window.look
    if not window.presenting:
        return look
    zoom = look.zoom
    for _ in range(ZOOM_STEPS):
        zoom = zoomed(zoom, +1)
    return replace(look, zoom=zoom)


def _aside(window):
    return (window.controls_column, window.side_tabs, window.statusBar(), window.menuBar())


def enter(window):
    window.presenting = {
        "state": window.windowState(),
        "geometry": window.geometry(),
        "sizes": {n: s.sizes() for n, s in window.splitters.items()},
        "shown": [widget.isVisible() for widget in _aside(window)],
    }
    for widget in _aside(window):
        widget.hide()
    window.plot.set_presenting(True)
    window.listings.show_step_only(True)
    right = window.splitters["right"]
    right.setOrientation(Qt.Horizontal)
    window.listings.setOrientation(Qt.Vertical)
    window.apply_shown_look()
    window.setGeometry(window.screen().geometry())  # the whole screen even where no window manager makes it so
    window.showFullScreen()
    total = sum(right.sizes())
    right.setSizes([round(total * PLOT_SHARE), total - round(total * PLOT_SHARE)])


def leave(window):
    before, window.presenting = window.presenting, None
    for widget, shown in zip(_aside(window), before["shown"], strict=False):
        widget.setVisible(shown)
    window.controls_column.setVisible(window.actions["Controls"].isChecked())  # Ctrl+B may have moved it
    window.plot.set_presenting(False)
    window.listings.show_step_only(False)
    window.splitters["right"].setOrientation(Qt.Vertical)
    window.listings.setOrientation(Qt.Horizontal)
    window.apply_shown_look()
    window.setWindowState(before["state"])  # normal, maximised or full screen, as it was
    if not before["state"] & (Qt.WindowFullScreen | Qt.WindowMaximized):
        window.setGeometry(before["geometry"])
    for name, sizes in before["sizes"].items():
        window.splitters[name].setSizes(sizes)
