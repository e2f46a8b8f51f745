"""The status bar: which step, the latest losses and test accuracy, the speed, the compile
state and the JAX backend. Every figure is the current run's: a new run clears them.

Each field shows its text whole: where the bar is too narrow for all of them (large text, a
small screen), the least needed ones step aside, in the order of `PRIORITY`'s end first.

A chunk's figures follow its curves (see `throttle.AfterCurves`): laid out and painted in the
curves' pass, they would hold the curves back.
"""

import math

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from app.gui.message_bar import ElidedLabel
from app.gui.style import LABELS
from app.gui.throttle import AfterCurves

READOUT_MS = 8000
ADJUSTED_MS = 15_000
"""How long what the window changed by itself is said (the pitfall's caption says it too)."""
SPEED_MIN_STEPS = 16
"""Chunks shorter than this (single steps, slow animation) say nothing about speed."""


GAP_TIP = (
    "The largest gap between the Linen and NNX loss at any step. With no pitfall and dropout "
    "off they run the same math on the same numbers: it is 0, or a last-bit difference in a "
    "digits loss (the weights stay identical). With dropout on each draws its own dropout keys, "
    "and a pitfall in a step breaks one of the two (the forgotten eval mode shows in test "
    "accuracy, not here)."
)


class StatusBar(QStatusBar):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.step_label = ElidedLabel(objectName="stepLabel")
        self.loss_label = ElidedLabel(objectName="lossLabel")
        self.accuracy_label = ElidedLabel(objectName="accuracyLabel", tip="The last test accuracy measured.")
        self.speed_label = ElidedLabel(objectName="speedLabel")
        self.compile_label = ElidedLabel(objectName="compileLabel")
        self.difference_label = ElidedLabel(objectName="differenceLabel", tip=GAP_TIP)
        self.backend_label = QLabel("loading JAX…", objectName="backendLabel")
        self.fields = (  # most needed first: the last ones step aside when room is short
            self.step_label,
            self.loss_label,
            self.accuracy_label,
            self.difference_label,
            self.compile_label,
            self.speed_label,
            self.backend_label,
        )
        for label in self.fields[:-1]:
            label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)  # its text's width
            self.addWidget(label)
        self.addWidget(QWidget(), 1)  # what the fields leave
        self.addPermanentWidget(self.backend_label)
        # A thin rule before each field after the first: figures that do not run together.
        ruled = ", ".join(f"QLabel#{label.objectName()}" for label in self.fields[1:])
        self.setStyleSheet(f"{ruled} {{ border-left: 1px solid palette(mid); padding-left: 6px; }}")
        self._steps_per_second = None
        self._chunk = None  # the newest chunk, whose figures are shown
        self.figures = AfterCurves(self._show_figures, self)
        events = model.events
        events.run.connect(self._on_model_run)
        events.chunk.connect(self._on_model_chunk)
        events.status.connect(self._on_model_status)
        events.backend.connect(self._on_model_backend)
        events.adjusted.connect(self._on_model_adjusted)

    def _fit(self):
        """Show the fields whose whole texts fit the bar, most needed first."""
        room = self.width() - 48  # the margins and the size grip
        for label in self.fields:
            needed = label.sizeHint().width() + 16 if label.text() else 0  # with the spacing
            shown = 0 < needed <= room
            room -= needed if shown else 0
            if label.isVisibleTo(self) != shown:
                label.setVisible(shown)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:  # a new text size: each field needs a new width
            self._fit()

    def _on_model_backend(self, name: str):
        self.backend_label.setText(f"JAX backend: {name}")
        self._fit()

    def _on_model_adjusted(self, said: str):
        """What the window changed by itself, and why."""
        self.showMessage(said, ADJUSTED_MS)

    def _on_model_run(self, record):
        self._steps_per_second = None
        self.figures.drop()  # a chunk of the run before is not shown
        self.step_label.setText(_steps_done(0, record.config.steps))
        for label in (
            self.loss_label,
            self.accuracy_label,
            self.speed_label,
            self.compile_label,
            self.difference_label,
        ):
            label.setText("")
        self._fit()

    def _on_model_chunk(self, chunk):
        """Every chunk counts in the speed; the newest one's figures follow its curves."""
        steps = chunk.end - chunk.start
        if chunk.seconds > 0 and steps >= SPEED_MIN_STEPS:
            rate = steps / chunk.seconds
            smooth = self._steps_per_second
            self._steps_per_second = rate if smooth is None else 0.7 * smooth + 0.3 * rate
        self._chunk = chunk
        self.figures.ask()

    def _show_figures(self):
        """The figures after the newest chunk, the newest part of the record."""
        chunk, record = self._chunk, self.model.record
        if self._steps_per_second is not None:
            self.speed_label.setText(f"{self._steps_per_second:,.0f} steps/s")
        if len(chunk.diverged_at) == len(record.config.compiled_paradigms):  # the run stopped there
            self.step_label.setText(f"diverged at step {max(chunk.diverged_at.values()):,} of {chunk.total_steps:,}")
        else:
            self.step_label.setText(_steps_done(chunk.end, chunk.total_steps))
        losses = [f"{LABELS[p]} {m['loss'][-1]:.4g}" for p, m in chunk.metrics.items() if len(m["loss"])]
        tested = [f"{LABELS[p]} {record.tests(p)[1][-1]:.1%}" for p in record.paradigms if len(record.tests(p)[1])]
        gap = record.max_gap
        if math.isnan(gap):
            self.difference_label.setText("")
        else:
            said = "Linen = NNX" if gap == 0 else f"|Linen − NNX| ≤ {_round_up(gap):.2g}"
            self.difference_label.setText(f"losses: {said}")
        if losses:
            self.loss_label.setText("loss: " + ", ".join(losses))
        self.accuracy_label.setText("test: " + ", ".join(tested) if tested else "")
        self._fit()

    def show_readout(self, text: str):
        """The values under the mouse, over the run's figures until the mouse leaves the plots
        (an empty `text`) or stays still for `READOUT_MS`."""
        if text:
            self.showMessage(text, READOUT_MS)
        else:
            self.clearMessage()

    def _on_model_status(self, status: str):
        """What the run is doing when that is not taking steps: compiling, or stopped."""
        self.compile_label.setText({"compiling": "compiling…", "stopped": "stopped"}.get(status, ""))
        self._fit()


def _round_up(x: float) -> float:
    """`x` rounded up to two significant digits: a bound stays a bound when it is shown."""
    if x <= 0:
        return 0.0
    scale = 10.0 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(x / scale - 1e-9) * scale


def _steps_done(done: int, total: int) -> str:
    """The steps taken, numbered as the plot and the Step panel number them (from 0)."""
    return f"no step yet of {total:,}" if done == 0 else f"steps 0–{done - 1:,} of {total:,}"
