"""The views beside the plot, as tabs: what the model predicts now, the loss landscape, the step
inspector and (once a sweep is asked for) the learning-rate sweep. A lesson step, a sweep or a
single step brings the view it is about to the front, with room to read it."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget

from app.gui.landscape_view import LandscapeView
from app.gui.model_views import ModelViews
from app.gui.step_view import StepInspectorView

LANDSCAPE_TIPS = {
    "line": "The loss over the line's two weights, and the path the weights take",
    "digits": "The loss landscape is drawn for the line fit: its loss has two weights to plot against",
}
PANEL_SHARE = 0.45
"""A view brought to the front gets at least this share of the plots' width."""
MOST_SHARE = 0.65
"""The Step panel takes up to this share, as its values need: the loss plot keeps the rest."""


class SidePanels(QTabWidget):
    lrPicked = Signal(float, bool)  # a sweep point was clicked: its learning rate, and whether to pin

    def __init__(self, model, parent=None):
        super().__init__(parent, objectName="sideTabs")
        self.model = model
        self.model_views = ModelViews(model)
        self.landscape = LandscapeView(model)
        self.step_view = StepInspectorView(model)
        self.sweep_view = None  # built on first use: start-up stays short
        self.addTab(self.model_views, self.model_views.title)
        self.addTab(self.landscape, "Landscape")
        self.addTab(self.step_view, "Step")
        self.setUsesScrollButtons(False)  # every tab whole: the panel is at least as wide as they are
        self.plots = None  # the splitter of the plot and these panels (see `share`)
        self.look = None
        self._stepped = False  # a single step was asked for: its inspection comes to the front
        model.events.run.connect(self._on_model_run)
        model.events.panel.connect(self.show_panel)
        model.events.lesson.connect(self._on_model_lesson)
        model.events.inspection.connect(self._on_model_inspection)

    def expect_step(self):
        """A single step was asked for: its values come to the front when they arrive (unless
        the landscape is on screen: its arrows show the step too)."""
        self._stepped = True

    def _on_model_run(self, record):
        task = record.config.task
        landscape = self.indexOf(self.landscape)
        if self.isTabEnabled(landscape) != (task == "line"):  # a tab bar changed is laid out again
            self.setTabEnabled(landscape, task == "line")
            self.setTabToolTip(landscape, LANDSCAPE_TIPS[task])
            self.setTabText(0, self.model_views.title)

    def _on_model_lesson(self, lesson, index):
        """A lesson step that names no view shows the data (its panel event brings any other)."""
        if lesson is not None and not lesson.steps[index].panel:
            self.setCurrentWidget(self.model_views)

    def _on_model_inspection(self, inspection):
        stepped, self._stepped = self._stepped, False
        landscape_shown = self.isVisible() and self.currentWidget() is self.landscape
        if stepped and inspection is not None and not landscape_shown:
            self.model.show_panel("step")

    def sweep(self):
        """The sweep's view, built and added as a tab the first time it is wanted."""
        if self.sweep_view is None:
            from app.gui.sweep_view import SweepView

            self.sweep_view = SweepView(self.model)
            self.sweep_view.lrPicked.connect(self.lrPicked)
            if self.look is not None:
                self.sweep_view.apply_look(self.look)
            self.addTab(self.sweep_view, "Sweep")
        return self.sweep_view

    def show_panel(self, name: str):
        """Bring a view to the front, with room to read it: at least PANEL_SHARE of the plots'
        width ("code" stands below the plots, in presentation beside them: nothing to do)."""
        if name == "code":
            return
        views = {"model": self.model_views, "landscape": self.landscape, "step": self.step_view}
        panel = self.sweep() if name == "sweep" else views[name]
        self.setCurrentWidget(panel)
        if self.plots is not None and name != "sweep":
            total = sum(self.plots.sizes())
            wanted = self.step_view.wanted_width() / total if panel is self.step_view and total else 0
            share = min(max(PANEL_SHARE, wanted), MOST_SHARE)
            if self.plots.sizes()[1] < share * total:
                self.plots.setSizes([round((1 - share) * total), round(share * total)])

    def apply_look(self, look):
        self.look = look
        for view in (self.model_views, self.landscape, self.step_view, self.sweep_view):
            if view is not None:
                view.apply_look(look)
