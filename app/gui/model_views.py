"""What the model predicts now, beside the plot: the fitted line for the line fit, the test
digits' predicted labels for digits. The view of the run's task is in front. Each chunk's state
follows its curves (see `throttle.AfterCurves`), but for the chunk a paradigm diverged in: its
last finite line and the note are drawn at once, as no later chunk holds them."""

from PySide6.QtWidgets import QStackedWidget

from app.gui.digits_view import DigitsView
from app.gui.fit_view import FitView
from app.gui.throttle import AfterCurves
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
        self._chunk = None  # the newest chunk, whose state is shown
        self.state = AfterCurves(self._show_state, self)
        model.events.run.connect(self._on_model_run)
        model.events.chunk.connect(self._on_model_chunk)

    @property
    def title(self) -> str:
        return TITLES["digits" if self.currentWidget() is self.digits else "line"]

    def _on_model_run(self, record):
        self.state.drop()  # a chunk of the run before is not shown
        self.fit.new_run()
        view = self.digits if record.config.task == "digits" else self.fit
        if self.currentWidget() is not view:
            self.setCurrentWidget(view)
            self.digits.clear()

    def _on_model_chunk(self, chunk):
        self._chunk = chunk
        if self.currentWidget() is self.fit and set(chunk.diverged_at) - self.fit.diverged:
            self.state.drop()
            self._show_state()  # the chunk a paradigm diverged in: now, before a later one
        else:
            self.state.ask()

    def _show_state(self):
        chunk = self._chunk
        if self.currentWidget() is self.digits:
            self.digits.show_predictions(chunk.shown)
        else:
            self.fit.show_weights(chunk.shown, chunk.diverged_at)

    def apply_look(self, look):
        self.fit.apply_look(look)
        self.digits.apply_look(look)
