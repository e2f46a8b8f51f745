"""Presentation mode (F5 or View ▸ Presentation; Esc or F5 leaves): full screen, text three
zoom steps larger, and only what a lecture hall reads: the loss plot, what the lesson step is
about beside it, and the lesson's caption (and a banner, if the run says something).

Beside the plot stands the step functions of both listings, one above the other, or the view a
lesson step names (the landscape, the Step panel), or the sweep once one is asked for; keys
switch it (C code, D data, L landscape, I the Step panel, W sweep). The controls, the status
and menu bars step aside, and come back as they were.
"""

from dataclasses import replace

from PySide6.QtCore import Qt

from app.gui.theme import Look, zoomed

ZOOM_STEPS = 3
PLOT_SHARE = 0.45
"""The loss plot's share of the width; what the lesson is about takes the rest."""
BESIDE = ("code", "model", "landscape", "step", "sweep")
"""What can stand beside the plot: the listings' step functions, or one of the side panels."""


class Presentation:
    """Whether the window presents, what stands beside the plot, and what to go back to."""

    def __init__(self, window):
        self.window = window
        self.beside = "code"
        self._before = None  # while presenting: the window's state, geometry, sizes and bars
        window.model.events.lesson.connect(self._on_model_lesson)
        window.model.events.panel.connect(self._on_model_panel)

    @property
    def active(self) -> bool:
        return self._before is not None

    def look(self, look: Look) -> Look:
        """The look on screen: the window's own, or three steps larger while presenting."""
        if not self.active:
            return look
        zoom = look.zoom
        for _ in range(ZOOM_STEPS):
            zoom = zoomed(zoom, +1)
        return replace(look, zoom=zoom)

    def _aside(self):
        window = self.window
        return (window.frame.controls_column, window.side, window.listings, window.statusBar(), window.menuBar())

    def toggle(self):
        self.leave() if self.active else self.enter()

    def _on_model_lesson(self, lesson, index):
        """A lesson step shows the code beside the plot, unless it names a view (its panel event
        follows)."""
        self._show_beside("code")

    def _on_model_panel(self, name: str):
        self._show_beside(name)

    def _show_beside(self, name: str):
        self.beside = name
        if not self.active:
            return
        window = self.window
        code = name == "code"
        window.side.step_view.show_code(False)  # the panel stands where the listings would
        window.listings.setVisible(code)
        window.side.setVisible(not code)
        plots, right = window.frame.splitters["plots"], window.frame.splitters["right"]
        for splitter in (plots, right):
            total = sum(splitter.sizes())
            splitter.setSizes([round(total * PLOT_SHARE), total - round(total * PLOT_SHARE)])

    def enter(self):
        window, splitters = self.window, self.window.frame.splitters
        self._before = {
            "state": window.windowState(),
            "geometry": window.geometry(),
            "sizes": {n: s.sizes() for n, s in splitters.items()},
            "shown": [widget.isVisible() for widget in self._aside()],
        }
        for widget in self._aside():
            widget.hide()
        window.plot.set_presenting(True)
        window.listings.show_step_only(True)
        splitters["right"].setOrientation(Qt.Horizontal)
        window.listings.setOrientation(Qt.Vertical)
        window.apply_shown_look()
        window.setGeometry(window.screen().geometry())  # the whole screen even where no window manager makes it so
        window.showFullScreen()
        self._show_beside(self.beside)

    def leave(self):
        window, splitters = self.window, self.window.frame.splitters
        before, self._before = self._before, None
        for widget, shown in zip(self._aside(), before["shown"], strict=True):
            widget.setVisible(shown)
        window.frame.controls_column.setVisible(window.actions["Controls"].isChecked())  # Ctrl+B may have moved it
        window.plot.set_presenting(False)
        window.side.step_view.show_code(True)
        window.listings.show_step_only(False)
        splitters["right"].setOrientation(Qt.Vertical)
        window.listings.setOrientation(Qt.Horizontal)
        window.apply_shown_look()
        window.setWindowState(before["state"])  # normal, maximised or full screen, as it was
        if not before["state"] & (Qt.WindowFullScreen | Qt.WindowMaximized):
            window.setGeometry(before["geometry"])
        for name, sizes in before["sizes"].items():
            splitters[name].setSizes(sizes)
