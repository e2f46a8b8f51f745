"""The two listings side by side: the real source of the run's Linen and NNX steps, with the
lines of EMA, clipping and a pitfall's bug marked for the run shown."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter

from app.gui.code_view import CodePane
from app.training.listings import listing


class ListingsView(QSplitter):
    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.linen_pane = CodePane("Linen: state = train_step(state, ...), a new TrainState every step")
        self.nnx_pane = CodePane("NNX: optimizer.update(model, grads) changes the model in place")
        self.addWidget(self.linen_pane)
        self.addWidget(self.nnx_pane)
        self._listed = self._marks = None
        self.show_run(None)

    def show_run(self, config):
        """The listings of `config`'s task and pitfall (the line fit's before any run), marked."""
        task, pitfall = (config.task, config.pitfall) if config else ("line", None)
        if (task, pitfall) != self._listed:
            self._listed = (task, pitfall)
            self.linen_pane.show_listing(listing("linen", task, pitfall))
            self.nnx_pane.show_listing(listing("nnx", task, pitfall))
            self._marks = None  # the new text has its own feature lines
        if config is None:
            return
        marks = {"ema": config.ema_decay is not None, "clip": config.clip_norm is not None, "bug": True}
        if marks != self._marks:
            self.linen_pane.mark(marks)
            self.nnx_pane.mark(marks)
            self._marks = marks

    def text(self) -> str:
        """Both listings as plain text, headed by their paradigm."""
        return f"# Linen\n\n{self.linen_pane.text()}\n\n# NNX\n\n{self.nnx_pane.text()}\n"

    def apply_look(self, look):
        self.linen_pane.apply_look(look)
        self.nnx_pane.apply_look(look)
