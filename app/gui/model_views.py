"""What the model predicts now, beside the plot: the fitted line for the line fit, the test
digits' predicted labels for digits. The view of the run's task is in front."""

from PySide6.QtWidgets import QStackedWidget

from app.gui.digits_view import DigitsView
from app.gui.fit_view import FitView
from app.model.app_model import AppModel

TITLES = {"line": "Data", "digits": "Digits"}
"""The tab's name for each task's view."""


class ModelViews(QStackedWidget):
    def __init__(self, model: AppModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.fit = FitView()
        self.digits = DigitsView()
        self.addWidget(self.fit)
        self.addWidget(self.digits)
        model.events.run.connect(self._on_model_run)
        model.events.chunk.connect(self._on_model_chunk)

    @property
    def title(self) -> str:
        return TITLES["digits" if self.currentWidget() is self.digits else "line"]

    def _on_model_run(self, record):
        self.fit.new_run()
        view = self.digits if record.config.task == "digits" else self.fit
        if self.currentWidget() is not view:
            self.setCurrentWidget(view)
            self.digits.clear()

    def _on_model_chunk(self, chunk):
        if self.currentWidget() is self.digits:
            self.digits.show_predictions(chunk.shown)
        else:
            self.fit.show_weights(chunk.shown, chunk.diverged_at)

    def apply_look(self, look):
        self.fit.apply_look(look)
        self.digits.apply_look(look)
