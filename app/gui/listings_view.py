"""The two listings side by side: the real source of the run's Linen and NNX steps, with the
lines of EMA, clipping and a pitfall's bug marked for the run shown, and, after a step is
inspected, the values each line computed beside it."""

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QSplitter

from app.gui.code_view import CodePane
from app.gui.step_view import notes
from app.model.app_model import AppModel
from app.training.listings import listing


class ListingsView(QSplitter):
    def __init__(self, model: AppModel, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.model = model
        self.linen_pane = CodePane("Linen: a new TrainState each step", "linenListing")
        self.nnx_pane = CodePane("NNX: the model changes in place", "nnxListing")
        self.panes = {"linen": self.linen_pane, "nnx": self.nnx_pane}
        self.addWidget(self.linen_pane)
        self.addWidget(self.nnx_pane)
        self._refit = QTimer(self, singleShot=True, interval=0)  # once the layout has settled
        self._refit.timeout.connect(self.fit_code)
        for pane in (self.linen_pane, self.nnx_pane):
            pane.editor.installEventFilter(self)
        self._listed = self._marks = None
        self._noted = None  # the step whose values the lines show
        self.show_run(None)
        model.events.run.connect(self._on_model_run)
        model.events.chunk.connect(self._on_model_chunk)
        model.events.inspection.connect(self._on_model_inspection)
        model.events.lesson.connect(self._on_model_lesson)

    def _on_model_lesson(self, lesson, index):
        """A lesson step whose caption quotes code: that line in view."""
        code = lesson.steps[index].code if lesson is not None else None
        for pane in self.panes.values():
            pane.quote(code)
        self.fit_code()

    def _on_model_run(self, record):
        self.show_run(record.config)
        self._set_notes(None)

    def _on_model_chunk(self, chunk):
        if self._noted is not None and chunk.end > self._noted + 1:  # the run went on: the notes are of the past
            self._set_notes(None)

    def _on_model_inspection(self, inspection):
        self._set_notes(inspection)

    def _set_notes(self, inspection):
        """Beside each line, the values it computed in `inspection` (None: no notes)."""
        self._noted = inspection.step if inspection is not None else None
        for p, pane in self.panes.items():
            pane.editor.set_notes({} if inspection is None else notes(inspection, p, pane.listing))

    def select_line(self, paradigm: str, line: int):
        self.panes[paradigm].editor.select_line(line)

    def show_run(self, config):
        """The listings of `config`'s task and pitfall (the line fit's before any run), marked."""
        task, pitfall = (config.task, config.pitfall) if config else ("line", None)
        if (task, pitfall) != self._listed:
            self._listed = (task, pitfall)
            self.linen_pane.show_listing(listing("linen", task, pitfall))
            self.nnx_pane.show_listing(listing("nnx", task, pitfall))
            self._marks = None  # the new text has its own feature lines
            self.fit_code()
        if config is None:
            return
        marks = {"ema": config.ema_decay is not None, "clip": config.clip_norm is not None, "bug": True}
        if marks != self._marks:
            self.linen_pane.mark(marks)
            self.nnx_pane.mark(marks)
            self._marks = marks

    def show_step_only(self, on: bool):
        """Only the step functions (presentation), or the whole listings."""
        self.linen_pane.show_step_only(on)
        self.nnx_pane.show_step_only(on)
        self.fit_code()

    def fit_code(self):
        """Both listings at one size, the largest at which each shows its step (see `fitted_size`)."""
        size = min(self.linen_pane.fitted_size(), self.nnx_pane.fitted_size())
        self.linen_pane.set_code_size(size)
        self.nnx_pane.set_code_size(size)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Resize:
            self._refit.start()
        return False

    def text(self) -> str:
        """Both listings as plain text, headed by their paradigm."""
        return f"# Linen\n\n{self.linen_pane.text()}\n\n# NNX\n\n{self.nnx_pane.text()}\n"

    def apply_look(self, look):
        self.linen_pane.apply_look(look)
        self.nnx_pane.apply_look(look)
        self.fit_code()
