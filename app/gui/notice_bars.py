"""The two bars over the plots that speak of the run: the banner (the model's notice: settings
that cannot run, a divergence, a target reached, a failure) and the pitfall's caption (what goes
wrong and the fix, what choosing it changed, and what the faulty code raised)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from app.gui.message_bar import MessageBar
from app.gui.style import LABELS
from app.model.pitfall_notes import PITFALLS

OFFERS = {
    "log_y": (
        "Log scale",
        "Show the loss on a log-scale y axis: a divergence grows by orders of magnitude, a spike on a linear one",
    )
}
"""What a banner's button says and explains, by the setting a notice offers to turn on."""


class NoticeBar(MessageBar):
    def __init__(self, model, parent=None):
        super().__init__("banner", "info", lines=2, parent=parent)
        self.model = model
        self.offer = QToolButton(objectName="bannerOffer")
        self.offer.clicked.connect(self._on_offer_clicked)
        self.offer.hide()
        self.layout().insertWidget(1, self.offer, 0, Qt.AlignTop)
        self.hide()
        model.events.notice.connect(self._on_model_notice)
        model.events.settings.connect(self._on_model_settings)

    def _on_model_notice(self, notice):
        """The same notice again (from the next chunk, say) leaves it as it is: its Details stay
        open."""
        self._show_offer()
        if notice is None:
            self.hide()
            return
        self.set_kind(notice.kind)
        self.setText(notice.text)
        self.show()

    def _on_model_settings(self, settings, old):
        self._show_offer()

    def _show_offer(self):
        """The notice's offer, while what it offers is off."""
        notice = self.model.notice
        offer = notice.offer if notice is not None else None
        if offer is not None:
            self.offer.setText(OFFERS[offer][0])
            self.offer.setToolTip(OFFERS[offer][1])
        shown = offer is not None and not getattr(self.model.settings, offer)
        if shown != self.offer.isVisibleTo(self):
            self.offer.setVisible(shown)
            self._fit()  # the text has more room, or less

    def _on_offer_clicked(self):
        self.model.edit(**{self.model.notice.offer: True})


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
