"""The two bars over the plots that speak of the run: the banner (the model's notice: settings
that cannot run, a divergence, a target reached, a failure) and the pitfall's caption (what goes
wrong and the fix, what choosing it changed, and what the faulty code raised)."""

from app.gui.message_bar import MessageBar
from app.gui.style import LABELS
from app.model.pitfall_notes import PITFALLS


class NoticeBar(MessageBar):
    def __init__(self, model, parent=None):
        super().__init__("banner", "info", lines=2, parent=parent)
        self.hide()
        model.events.notice.connect(self._on_model_notice)

    def _on_model_notice(self, notice):
        """The same notice again (from the next chunk, say) leaves it as it is: its Details stay
        open."""
        if notice is None:
            self.hide()
            return
        self.set_kind(notice.kind)
        self.setText(notice.text)
        self.show()


class PitfallCaption(MessageBar):
    def __init__(self, model, parent=None):
        super().__init__("pitfallCaption", "info", lines=3, parent=parent)
        self.model = model
        self.hide()
        model.events.run.connect(self._on_model_run)
        model.events.errors.connect(self._on_model_errors)

    def _on_model_run(self, record):
        pitfall = record.config.pitfall
        if pitfall is not None:
            made = [a.said for a in self.model.adjustments if a.trigger == ("pitfall", pitfall)]
            self.setText("\n\n".join([f"Pitfall {pitfall}: {PITFALLS[pitfall].caption}", *made]))
        self.setVisible(pitfall is not None)

    def _on_model_errors(self, errors):
        raised = "  ".join(f"{LABELS[p]} raised {' '.join(message.split())}" for p, message in errors.items())
        self.setText(self.text() + "\n\n" + raised)
