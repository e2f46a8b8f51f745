"""The control panel: every setting, each with a tooltip. It shows the model's settings and
writes the user's edits back into the model (napari's `qt_dims` shape): it holds no setting of
its own, only what a box shows of a feature that is off (the EMA decay, the max norm, the stop
target), ready for when it is turned on."""

import functools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from app.gui.controls_layout import lay_out
from app.gui.marked_slider import LR_TICKS, MarkedSlider, lr_to_tick, tick_to_lr
from app.gui.spin_boxes import SignificantSpinBox, setting_spin
from app.model import notices
from app.model.app_model import AppModel
from app.model.config import DROPOUT_RATES, RunConfig
from app.model.pitfall_notes import PITFALLS
from app.model.settings import DEFAULT_RATE, FIELDS, MAX_RATE, MAX_SMOOTHING, Settings
from app.model.stability import past_the_edge, stability_edge

DEFAULT_EMA_DECAY = 0.99
DEFAULT_CLIP_NORM = 1.0
DEFAULT_STOP_AT = 0.01
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"}
PARADIGM_NAMES = {"both": "Linen and NNX", "linen": "Linen", "nnx": "NNX"}
TASK_NAMES = {"line": "Line fit", "digits": "Digits"}
CHOICE_TIPS = {
    "line": "64 noisy points on a line, one linear layer, the whole batch every step",
    "digits": "The 8×8 handwritten digits, 10 classes: an MLP with BatchNorm and dropout on minibatches",
    "sgd": "Plain SGD: each step moves the weights by −lr times the gradient",
    "momentum": "SGD with momentum 0.9 (heavy ball)",
    "adam": "Adam with optax's default betas",
}
"""What a choice of a combo box means, in its tooltip (the box shows a short name)."""
BUTTONS = {
    "run": ("Run", "Run the current settings again from step 0."),
    "stop": ("Stop", "Stop the run where it is; the curve so far stays."),
    "pause": ("Pause", "Hold the run between steps; press again to resume."),
    "step": ("Step", "Hold the run and advance it by exactly one training step."),
    "sweep": (
        "Sweep learning rate",
        "Run these settings at 64 learning rates from 1e-4 to 10, 16 at a time beside the run, "
        "and plot the final loss of each as it comes.",
    ),
    "pin": ("Pin", "Keep the current loss curve on the plot as a faded ghost to compare the next runs with."),
    "clearPins": ("Clear pins", "Remove every pinned ghost curve."),
    "reset": (
        "Reset to defaults",
        "Put the run's settings back to their defaults and re-run; pace and display stay "
        "(View ▸ Reset Everything resets those too).",
    ),
}
"""Each button: its objectName's start, text and tooltip."""


def _combo(name: str, field: str, items: dict) -> QComboBox:
    combo = QComboBox(objectName=name, toolTip=FIELDS[field].help)
    for value, text in items.items():
        combo.addItem(text, value)
    return combo


class Controls(QWidget):
    """The settings and the buttons; the buttons' signals ask the window to act."""

    runClicked = Signal()
    stopClicked = Signal()
    pauseToggled = Signal(bool)
    stepClicked = Signal()
    sweepClicked = Signal()
    pinClicked = Signal()
    clearPinsClicked = Signal()

    def __init__(self, model: AppModel, parent=None):
        super().__init__(parent)
        self.model = model
        defaults = RunConfig()
        self.task_combo = _combo("taskCombo", "task", TASK_NAMES)
        self.paradigm_combo = _combo("paradigmCombo", "paradigm", PARADIGM_NAMES)
        self.seed_spin = setting_spin(QSpinBox, "seedSpin", "seed", defaults.seed)
        self.lr_slider = MarkedSlider(
            Qt.Horizontal,
            objectName="lrSlider",
            toolTip="Learning rate on a log scale: how far each update moves the weights along the gradient.",
        )
        self.lr_slider.setRange(0, LR_TICKS)
        self.lr_spin = setting_spin(SignificantSpinBox, "lrSpin", "lr", defaults.lr)
        self.lr_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.steps_spin = setting_spin(QSpinBox, "stepsSpin", "steps", defaults.steps)
        self.steps_spin.setGroupSeparatorShown(True)
        self.optimizer_combo = _combo("optimizerCombo", "optimizer", OPTIMIZER_NAMES)
        self.ema_check = QCheckBox(
            "Parameter EMA",
            objectName="emaCheck",
            toolTip="Keep a trailing average of the weights after every step: the line fit plots its loss too; "
            "digits measures its test accuracy.",
        )
        self.ema_spin = setting_spin(QDoubleSpinBox, "emaDecaySpin", "ema_decay", DEFAULT_EMA_DECAY, step=0.001)
        self.clip_check = QCheckBox(
            "Clip gradients",
            objectName="clipCheck",
            toolTip="Rescale the gradient before the update whenever its global norm exceeds the max norm.",
        )
        self.clip_spin = setting_spin(QDoubleSpinBox, "clipNormSpin", "clip_norm", DEFAULT_CLIP_NORM)
        self.clip_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        pitfalls = {None: "None"} | {name: name for name in PITFALLS}
        self.pitfall_combo = _combo("pitfallCombo", "pitfall", pitfalls)
        self.batch_spin = setting_spin(QSpinBox, "batchSpin", "batch_size", defaults.batch_size)
        self.dropout_combo = _combo("dropoutCombo", "dropout", {rate: f"{rate:g}" for rate in DROPOUT_RATES})
        self.smoothing_check = QCheckBox(
            "Label smoothing", objectName="smoothingCheck", toolTip=FIELDS["label_smoothing"].help
        )
        self.l2_spin = setting_spin(SignificantSpinBox, "l2Spin", "l2", defaults.l2)
        self.l2_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.pace_combo = _combo("paceCombo", "pace", {"instant": "Instant", "animate": "Animate"})
        self.rate_slider = QSlider(Qt.Horizontal, objectName="rateSlider", toolTip=FIELDS["rate"].help)
        self.rate_slider.setRange(1, MAX_RATE)
        self.rate_spin = setting_spin(QSpinBox, "rateSpin", "rate", DEFAULT_RATE)
        self.rate_spin.setSuffix(" steps/s")
        self.smoothing_slider = QSlider(Qt.Horizontal, objectName="smoothingSlider", toolTip=FIELDS["smoothing"].help)
        self.smoothing_slider.setRange(1, MAX_SMOOTHING)
        self.smoothing_label = QLabel("off", objectName="smoothingLabel")
        self.stop_at_check = QCheckBox("Stop at loss ≤", objectName="stopAtCheck", toolTip=FIELDS["stop_at"].help)
        self.stop_at_spin = setting_spin(SignificantSpinBox, "stopAtSpin", "stop_at", DEFAULT_STOP_AT)
        self.stop_at_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.log_check = QCheckBox("Log-scale y", objectName="logCheck", toolTip=FIELDS["log_y"].help)
        low, high = FIELDS["show_steps"].window_range
        self.show_steps_spin = QSpinBox(objectName="showStepsSpin", toolTip=FIELDS["show_steps"].help)
        self.show_steps_spin.setRange(low - 1, high)  # its least value stands for "auto"
        self.show_steps_spin.setSpecialValueText("auto")
        self.show_steps_spin.setGroupSeparatorShown(True)
        for name, (text, tip) in BUTTONS.items():
            button = QPushButton(text, objectName=f"{name}Button", toolTip=tip, checkable=name == "pause")
            setattr(self, f"{_snake(name)}_button", button)
        self.digits_box = QGroupBox("Digits")
        lay_out(self)
        for combo in self.findChildren(QComboBox):  # as wide as its longest choice: each shows whole
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        for name, note in PITFALLS.items():
            where = f"{'Linen' if note.paradigm == 'linen' else 'NNX'}, on the {TASK_NAMES[note.task].lower()} task"
            self.pitfall_combo.setItemData(self.pitfall_combo.findData(name), where, Qt.ToolTipRole)
        for combo in (self.task_combo, self.optimizer_combo):
            for i in range(combo.count()):
                combo.setItemData(i, CHOICE_TIPS[combo.itemData(i)], Qt.ToolTipRole)
        self._connect()
        self._on_model_settings(model.settings)
        model.events.settings.connect(self._on_model_settings)
        model.events.status.connect(self._on_model_status)

    def _connect(self):
        for combo, name in (
            (self.task_combo, "task"),
            (self.paradigm_combo, "paradigm"),
            (self.optimizer_combo, "optimizer"),
            (self.pitfall_combo, "pitfall"),
            (self.dropout_combo, "dropout"),
            (self.pace_combo, "pace"),
        ):
            combo.currentIndexChanged.connect(lambda _, c=combo, n=name: self._edit(**{n: c.currentData()}))
        for box, name in (
            (self.seed_spin, "seed"),
            (self.lr_spin, "lr"),
            (self.steps_spin, "steps"),
            (self.batch_spin, "batch_size"),
            (self.l2_spin, "l2"),
            (self.rate_spin, "rate"),
            (self.rate_slider, "rate"),
            (self.smoothing_slider, "smoothing"),
        ):
            box.valueChanged.connect(lambda value, n=name: self._edit(**{n: value}))
        self.lr_slider.valueChanged.connect(lambda tick: self._edit(lr=tick_to_lr(tick)))
        self.pace_combo.currentIndexChanged.connect(
            lambda _: self._edit(pace=self.pace_combo.currentData() or "instant")
        )
        self.smoothing_check.toggled.connect(lambda on: self._edit(label_smoothing=on))
        self.log_check.toggled.connect(lambda on: self._edit(log_y=on))
        self.show_steps_spin.valueChanged.connect(self._show_steps_edited)
        for check, spin, name in (
            (self.ema_check, self.ema_spin, "ema_decay"),
            (self.clip_check, self.clip_spin, "clip_norm"),
            (self.stop_at_check, self.stop_at_spin, "stop_at"),
        ):
            edited = functools.partial(self._feature_edited, check, spin, name)
            check.toggled.connect(edited)
            spin.valueChanged.connect(edited)
        for button, signal in (
            (self.run_button, self.runClicked),
            (self.stop_button, self.stopClicked),
            (self.step_button, self.stepClicked),
            (self.sweep_button, self.sweepClicked),
            (self.pin_button, self.pinClicked),
            (self.clear_pins_button, self.clearPinsClicked),
        ):
            button.clicked.connect(signal)
        self.pause_button.toggled.connect(self.pauseToggled)
        self.reset_button.clicked.connect(self.reset)

    def _show_steps_edited(self, value: int):
        """The box's least value stands for "auto": follow the loss."""
        self._edit(show_steps=None if value == self.show_steps_spin.minimum() else value)

    def _feature_edited(self, check, spin, name, _value=None):
        """A feature's box or value: on with the box's value, or off (the value stays shown)."""
        self._edit(**{name: spin.value() if check.isChecked() else None})

    def _edit(self, **changes):
        """The user changed a control: the model takes it (a value it refuses is said, and the
        controls show the model's settings again)."""
        if self.signalsBlocked():
            return
        try:
            self.model.edit(**changes)
        except ValueError as error:
            self.model.set_notice(notices.Notice("error", f"Not changed: {error}."))
            self._on_model_settings(self.model.settings)

    def reset(self):
        """The run's settings and the boxes of features that are off back to their defaults;
        pace and display stay."""
        self._reset_boxes()
        self.model.set_settings(Settings(RunConfig(), **_display(self.model.settings)))

    def reset_display(self):
        """Every setting back to its default, pace and display too."""
        self._reset_boxes()
        self.model.set_settings(Settings())

    def _reset_boxes(self):
        for spin, value in (
            (self.ema_spin, DEFAULT_EMA_DECAY),
            (self.clip_spin, DEFAULT_CLIP_NORM),
            (self.stop_at_spin, DEFAULT_STOP_AT),
        ):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _on_model_settings(self, settings: Settings, _old=None):
        """Show `settings`: each control that shows something else is set, quietly (no edit
        comes back of it); the others are left alone (a drag of one slider repaints it alone)."""
        config = settings.run
        for combo, value in (
            (self.task_combo, config.task),
            (self.paradigm_combo, config.paradigm),
            (self.optimizer_combo, config.optimizer),
            (self.pitfall_combo, config.pitfall),
            (self.dropout_combo, config.dropout),
            (self.pace_combo, settings.pace),
        ):
            _quietly(combo, combo.currentData() != value, combo.setCurrentIndex, combo.findData(value))
        for box, value in (
            (self.seed_spin, config.seed),
            (self.lr_spin, config.lr),
            (self.lr_slider, lr_to_tick(config.lr)),
            (self.steps_spin, config.steps),
            (self.ema_spin, config.ema_decay or self.ema_spin.value()),
            (self.clip_spin, config.clip_norm or self.clip_spin.value()),
            (self.batch_spin, config.batch_size),
            (self.l2_spin, config.l2),
            (self.rate_spin, settings.rate),
            (self.rate_slider, settings.rate),
            (self.smoothing_slider, settings.smoothing),
            (self.stop_at_spin, settings.stop_at or self.stop_at_spin.value()),
            (self.show_steps_spin, settings.show_steps or self.show_steps_spin.minimum()),
        ):
            _quietly(box, box.value() != value, box.setValue, value)
        for check, on in (
            (self.ema_check, config.ema_decay is not None),
            (self.clip_check, config.clip_norm is not None),
            (self.smoothing_check, config.label_smoothing),
            (self.stop_at_check, settings.stop_at is not None),
            (self.log_check, settings.log_y),
        ):
            _quietly(check, check.isChecked() != on, check.setChecked, on)
        self.smoothing_label.setText("off" if settings.smoothing <= 1 else f"{settings.smoothing} steps")
        line = config.task == "line"
        for widget, on in (
            (self.ema_check, config.pitfall is None),  # pitfalls run without EMA
            (self.ema_spin, config.ema_decay is not None),
            (self.clip_spin, config.clip_norm is not None),
            (self.stop_at_spin, settings.stop_at is not None),
            (self.rate_spin, settings.pace == "animate"),
            (self.rate_slider, settings.pace == "animate"),
        ):
            if widget.isEnabled() != on:
                widget.setEnabled(on)
        if self.digits_box.isVisibleTo(self) == line:
            self.digits_box.setVisible(not line)
        if _old is None or (config.task, config.optimizer, config.clip_norm) != (
            _old.run.task,
            _old.run.optimizer,
            _old.run.clip_norm,
        ):
            self._mark_edge(config)

    def _mark_edge(self, config):
        """Mark the stability edge of `config` on the learning-rate slider (none if it has none)."""
        clipped = config.clip_norm is not None
        edge = stability_edge(config.task, config.optimizer, clipped)
        past = past_the_edge(clipped, config.optimizer)
        tip = f"Red mark: the stability edge, lr = {edge:.3g}; a run past it {past}." if edge else ""
        self.lr_slider.set_mark(None if edge is None else lr_to_tick(edge), tip)

    def _on_model_status(self, status: str):
        """The Pause button says what pressing it does."""
        paused = status == "paused"
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.blockSignals(False)


def _quietly(widget, needed: bool, setter, value) -> None:
    """`setter(value)` with the widget's signals blocked, if `needed`."""
    if needed:
        widget.blockSignals(True)
        setter(value)
        widget.blockSignals(False)


def _snake(name: str) -> str:
    """'clearPins' as 'clear_pins'."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _display(settings: Settings) -> dict:
    """How `settings` are paced and shown (what Reset keeps)."""
    names = ("pace", "rate", "smoothing", "stop_at", "log_y", "show_steps")
    return {name: getattr(settings, name) for name in names}
