"""The control panel: every setting of a run, each with a tooltip, read back as a RunConfig."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.marked_slider import LR_TICKS, MarkedSlider, lr_to_tick, tick_to_lr
from app.gui.spin_boxes import SignificantSpinBox, setting_spin
from app.model.config import DROPOUT_RATES, RunConfig
from app.model.pitfall_notes import PITFALLS
from app.model.settings import DEFAULT_RATE, FIELDS, MAX_RATE, MAX_SMOOTHING, Settings
from app.model.stability import past_the_edge, stability_edge

DEFAULTS = RunConfig()
DEFAULT_EMA_DECAY = 0.99
DEFAULT_CLIP_NORM = 1.0
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "SGD + momentum 0.9", "adam": "Adam"}
PARADIGM_NAMES = {"both": "Linen and NNX", "linen": "Linen", "nnx": "NNX"}


class Controls(QWidget):
    """Emits `changed` whenever a setting of the run changes; `config()` reads them all."""

    changed = Signal()
    paceChanged = Signal()
    runClicked = Signal()
    stopClicked = Signal()
    pauseToggled = Signal(bool)
    stepClicked = Signal()
    sweepClicked = Signal()
    pinClicked = Signal()
    clearPinsClicked = Signal()
    smoothingChanged = Signal(int)
    showStepsChanged = Signal(object)  # int, or None: follow the loss
    logToggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.task_combo = QComboBox(objectName="taskCombo", toolTip=FIELDS["task"].help)
        self.task_combo.addItem("Line fit (64 points)", "line")
        self.task_combo.addItem("Digits (8×8, 10 classes)", "digits")
        self.paradigm_combo = QComboBox(objectName="paradigmCombo", toolTip=FIELDS["paradigm"].help)
        for key, name in PARADIGM_NAMES.items():
            self.paradigm_combo.addItem(name, key)
        self.seed_spin = setting_spin(QSpinBox, "seedSpin", "seed", DEFAULTS.seed)
        self.lr_slider = MarkedSlider(
            Qt.Horizontal,
            objectName="lrSlider",
            toolTip="Learning rate on a log scale: how far each update moves the weights along the gradient.",
        )
        self.lr_slider.setRange(0, LR_TICKS)
        self.lr_slider.setValue(lr_to_tick(DEFAULTS.lr))
        self.lr_spin = setting_spin(SignificantSpinBox, "lrSpin", "lr", DEFAULTS.lr)
        self.lr_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.steps_spin = setting_spin(QSpinBox, "stepsSpin", "steps", DEFAULTS.steps)
        self.steps_spin.setGroupSeparatorShown(True)
        self.optimizer_combo = QComboBox(objectName="optimizerCombo", toolTip=FIELDS["optimizer"].help)
        for key, name in OPTIMIZER_NAMES.items():
            self.optimizer_combo.addItem(name, key)
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

        self.adjustment = None  # what the controls last changed by themselves, and why
        self._setting_whole = False  # set_settings is showing a whole Settings
        self.pitfall_combo = QComboBox(objectName="pitfallCombo", toolTip=FIELDS["pitfall"].help)
        self.pitfall_combo.addItem("None", None)
        for name, note in PITFALLS.items():
            self.pitfall_combo.addItem(f"{name} ({'Linen' if note.paradigm == 'linen' else 'NNX'})", name)
        self.batch_spin = setting_spin(QSpinBox, "batchSpin", "batch_size", DEFAULTS.batch_size)
        self.dropout_combo = QComboBox(objectName="dropoutCombo", toolTip=FIELDS["dropout"].help)
        for rate in DROPOUT_RATES:
            self.dropout_combo.addItem(f"{rate:g}", rate)
        self.dropout_combo.setCurrentIndex(self.dropout_combo.findData(DEFAULTS.dropout))
        self.smoothing_check = QCheckBox(
            "Label smoothing",
            objectName="smoothingCheck",
            toolTip=FIELDS["label_smoothing"].help,
            checked=DEFAULTS.label_smoothing,
        )
        self.l2_spin = setting_spin(SignificantSpinBox, "l2Spin", "l2", DEFAULTS.l2)
        self.l2_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)

        self.pace_combo = QComboBox(objectName="paceCombo", toolTip=FIELDS["pace"].help)
        self.pace_combo.addItem("Instant", None)
        self.pace_combo.addItem("Animate", "animate")
        self.rate_slider = QSlider(Qt.Horizontal, objectName="rateSlider", toolTip=FIELDS["rate"].help)
        self.rate_slider.setRange(1, MAX_RATE)
        self.rate_slider.setValue(DEFAULT_RATE)
        self.rate_spin = setting_spin(QSpinBox, "rateSpin", "rate", DEFAULT_RATE)
        self.rate_spin.setSuffix(" steps/s")
        self.smoothing_slider = QSlider(Qt.Horizontal, objectName="smoothingSlider", toolTip=FIELDS["smoothing"].help)
        self.smoothing_slider.setRange(1, MAX_SMOOTHING)
        self.smoothing_label = QLabel("off", objectName="smoothingLabel")
        self.stop_at_check = QCheckBox("Stop at loss ≤", objectName="stopAtCheck", toolTip=FIELDS["stop_at"].help)
        self.stop_at_spin = setting_spin(SignificantSpinBox, "stopAtSpin", "stop_at", 0.01)
        self.stop_at_spin.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.log_check = QCheckBox("Log-scale y", objectName="logCheck", toolTip=FIELDS["log_y"].help)
        low, high = FIELDS["show_steps"].window_range
        self.show_steps_spin = QSpinBox(objectName="showStepsSpin", toolTip=FIELDS["show_steps"].help)
        self.show_steps_spin.setRange(low - 1, high)  # its least value stands for "auto"
        self.show_steps_spin.setSpecialValueText("auto")
        self.show_steps_spin.setGroupSeparatorShown(True)

        self.run_button = QPushButton(
            "Run", objectName="runButton", toolTip="Run the current settings again from step 0."
        )
        self.stop_button = QPushButton(
            "Stop", objectName="stopButton", toolTip="Stop the run where it is; the curve so far stays."
        )
        self.pause_button = QPushButton(
            "Pause",
            objectName="pauseButton",
            checkable=True,
            toolTip="Hold the run between steps; press again to resume.",
        )
        self.step_button = QPushButton(
            "Step", objectName="stepButton", toolTip="Hold the run and advance it by exactly one training step."
        )
        self.sweep_button = QPushButton(
            "Sweep learning rate",
            objectName="sweepButton",
            toolTip="Run these settings at 64 learning rates from 1e-4 to 10, 16 at a time beside the run, "
            "and plot the final loss of each as it comes.",
        )
        self.pin_button = QPushButton(
            "Pin",
            objectName="pinButton",
            toolTip="Keep the current loss curve on the plot as a faded ghost to compare the next runs with.",
        )
        self.clear_pins_button = QPushButton(
            "Clear pins", objectName="clearPinsButton", toolTip="Remove every pinned ghost curve."
        )
        self.reset_button = QPushButton(
            "Reset to defaults",
            objectName="resetButton",
            toolTip="Put the run's settings back to their defaults and re-run; pace and display stay "
            "(View ▸ Reset Everything resets those too).",
        )

        self._layout()
        for combo in self.findChildren(QComboBox):  # long choices do not widen the column
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self._connect()
        self._sync_enabled()

    def _layout(self):
        run = QGroupBox("Run")
        form = QFormLayout(run)
        form.addRow("Task", self.task_combo)
        form.addRow("Show", self.paradigm_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow(self.lr_slider)
        form.addRow("Steps", self.steps_spin)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Pitfall", self.pitfall_combo)
        extras = QGroupBox("Step extras")
        form2 = QFormLayout(extras)
        form2.addRow(self.ema_check, self.ema_spin)
        form2.addRow(self.clip_check, self.clip_spin)
        self.digits_box = QGroupBox("Digits")
        form4 = QFormLayout(self.digits_box)
        form4.addRow("Batch size", self.batch_spin)
        form4.addRow("Dropout", self.dropout_combo)
        form4.addRow(self.smoothing_check)
        form4.addRow("L2 weight", self.l2_spin)
        pace = QGroupBox("Pace")
        form3 = QFormLayout(pace)
        form3.addRow("Mode", self.pace_combo)
        form3.addRow("Speed", self.rate_spin)
        form3.addRow(self.rate_slider)
        buttons = QGroupBox("Actions")
        grid = QVBoxLayout(buttons)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for b in (self.run_button, self.stop_button):
            row1.addWidget(b)
        for b in (self.pause_button, self.step_button):
            row2.addWidget(b)
        row3 = QHBoxLayout()
        for b in (self.pin_button, self.clear_pins_button):
            row3.addWidget(b)
        grid.addLayout(row1)
        grid.addLayout(row2)
        grid.addLayout(row3)
        grid.addWidget(self.sweep_button)
        grid.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        display = QGroupBox("Display")
        form5 = QFormLayout(display)
        smoothing = QHBoxLayout()
        smoothing.addWidget(self.smoothing_slider, 1)
        smoothing.addWidget(self.smoothing_label)
        form5.addRow("Smoothing", smoothing)
        form5.addRow(self.stop_at_check, self.stop_at_spin)
        form5.addRow(self.log_check)
        form5.addRow("Steps shown", self.show_steps_spin)
        for box in (buttons, run, self.digits_box, extras, pace, display):  # the buttons first: always in view
            layout.addWidget(box)
        layout.addStretch(1)

    def _connect(self):
        self.lr_slider.valueChanged.connect(self._slider_moved)
        self.lr_spin.valueChanged.connect(self._lr_typed)
        self.rate_slider.valueChanged.connect(self.rate_spin.setValue)
        self.rate_spin.valueChanged.connect(self.rate_slider.setValue)
        self.rate_spin.valueChanged.connect(lambda _: self.paceChanged.emit())
        self.pace_combo.currentIndexChanged.connect(lambda _: (self._sync_enabled(), self._changed()))
        self.task_combo.currentIndexChanged.connect(lambda _: (self._sync_enabled(), self._changed()))
        self.pitfall_combo.currentIndexChanged.connect(self._pitfall_picked)
        for combo in (self.paradigm_combo, self.optimizer_combo, self.dropout_combo):
            combo.currentIndexChanged.connect(lambda _: self._changed())
        for spin in (self.seed_spin, self.steps_spin, self.ema_spin, self.clip_spin, self.batch_spin, self.l2_spin):
            spin.valueChanged.connect(lambda _: self._changed())
        self.smoothing_check.toggled.connect(lambda _: self._changed())
        for check in (self.ema_check, self.clip_check):
            check.toggled.connect(lambda _: (self._sync_enabled(), self._changed()))
        self.run_button.clicked.connect(self.runClicked)
        self.stop_button.clicked.connect(self.stopClicked)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.step_button.clicked.connect(self.stepClicked)
        self.reset_button.clicked.connect(self.reset)
        self.sweep_button.clicked.connect(self.sweepClicked)
        self.pin_button.clicked.connect(self.pinClicked)
        self.clear_pins_button.clicked.connect(self.clearPinsClicked)
        self.log_check.toggled.connect(self.logToggled)
        self.show_steps_spin.valueChanged.connect(lambda _: self.showStepsChanged.emit(self.show_steps()))
        self.smoothing_slider.valueChanged.connect(self._smoothing_moved)
        self.stop_at_check.toggled.connect(self.stop_at_spin.setEnabled)
        self.stop_at_spin.setEnabled(False)

    def _changed(self, adjustment: str | None = None):
        """Emit `changed`; `adjustment` says what the controls changed by themselves, and why."""
        self.adjustment = adjustment
        self.changed.emit()

    def _pitfall_picked(self, _index):
        """A pitfall the user picks that needs a setting to show its lesson gets it, visibly, if it
        is at its default (settings set whole, by a lesson say, are shown as they are)."""
        if self._setting_whole:
            return
        note = PITFALLS.get(self.pitfall())
        adjustment = None
        at_default = {
            "optimizer": lambda: self.optimizer_combo.currentData() == DEFAULTS.optimizer,
            "clip_norm": lambda: not self.clip_check.isChecked(),
        }
        if note and note.needs and at_default[note.needs[0]]():
            setting, value, adjustment = note.needs
            self.blockSignals(True)
            if setting == "optimizer":
                self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(value))
            else:  # clip_norm
                self.clip_spin.setValue(value)
                self.clip_check.setChecked(True)
            self.blockSignals(False)
        self._sync_enabled()
        self._changed(adjustment)

    def _slider_moved(self, tick):
        lr = tick_to_lr(tick)
        if lr != self.lr_spin.value():
            self.lr_spin.blockSignals(True)
            self.lr_spin.setValue(lr)
            self.lr_spin.blockSignals(False)
            self._changed()

    def _lr_typed(self, lr):
        self.lr_slider.blockSignals(True)
        self.lr_slider.setValue(lr_to_tick(lr))
        self.lr_slider.blockSignals(False)
        self._changed()

    def _smoothing_moved(self, steps):
        self.smoothing_label.setText("off" if steps <= 1 else f"{steps} steps")
        self.smoothingChanged.emit(steps)

    def steps_per_second(self) -> float:
        """The worker's pace, read alone (valid whatever the run): steps per second when
        animating, 0 when running flat out."""
        return float(self.rate_spin.value()) if self.pace_combo.currentData() else 0.0

    def show_steps(self) -> int | None:
        """The last step the plots show, or None to follow the loss."""
        value = self.show_steps_spin.value()
        return None if value == self.show_steps_spin.minimum() else value

    def stop_at(self) -> float | None:
        """The loss at which the run stops by itself, or None (read alone: valid whatever the run)."""
        return self.stop_at_spin.value() if self.stop_at_check.isChecked() else None

    def mark_edge(self, config):
        """Mark the stability edge of `config` on the learning-rate slider (none if it has none)."""
        clipped = config.clip_norm is not None
        edge = stability_edge(config.task, config.optimizer, clipped)
        tip = (
            f"Red mark: the stability edge, lr = {edge:.3g}; a run past it {past_the_edge(clipped, config.optimizer)}."
            if edge
            else ""
        )
        self.lr_slider.set_mark(None if edge is None else lr_to_tick(edge), tip)

    def _pause_toggled(self, paused):
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pauseToggled.emit(paused)

    def set_paused(self, paused: bool):
        """Show the paused state without emitting (the worker already knows)."""
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.blockSignals(False)

    def _sync_enabled(self):
        line = self.task_combo.currentData() == "line"
        self.digits_box.setVisible(not line)
        self.pitfall_combo.setEnabled(line)
        self.ema_check.setEnabled(self.pitfall() is None)  # pitfalls run without EMA
        self.ema_spin.setEnabled(self.ema_check.isChecked() and self.pitfall() is None)
        self.clip_spin.setEnabled(self.clip_check.isChecked())
        animate = self.pace_combo.currentData() is not None
        self.rate_spin.setEnabled(animate)
        self.rate_slider.setEnabled(animate)

    def pitfall(self) -> str | None:
        """The chosen pitfall; none outside the line fit, where pitfalls run."""
        return self.pitfall_combo.currentData() if self.task_combo.currentData() == "line" else None

    def config(self) -> RunConfig:
        return RunConfig(
            task=self.task_combo.currentData(),
            paradigm=self.paradigm_combo.currentData(),
            seed=self.seed_spin.value(),
            lr=self.lr_spin.value(),
            steps=self.steps_spin.value(),
            optimizer=self.optimizer_combo.currentData(),
            ema_decay=self.ema_spin.value() if self.ema_check.isChecked() and self.pitfall() is None else None,
            clip_norm=self.clip_spin.value() if self.clip_check.isChecked() else None,
            batch_size=self.batch_spin.value(),
            dropout=self.dropout_combo.currentData(),
            label_smoothing=self.smoothing_check.isChecked(),
            l2=self.l2_spin.value(),
            pitfall=self.pitfall(),
        )

    def settings(self) -> Settings:
        """Everything the panel sets: the run, its pace, and how it is shown (ValueError for a
        run the controls allow but that cannot run)."""
        return self._shown_with(self.config())

    def _shown_with(self, config: RunConfig) -> Settings:
        """The panel's pace and display settings, with `config` as the run."""
        return Settings(
            config,
            "animate" if self.pace_combo.currentData() else "instant",
            self.rate_spin.value(),
            self.smoothing_slider.value(),
            self.stop_at(),
            self.log_check.isChecked(),
            self.show_steps(),
        )

    def set_settings(self, settings: Settings):
        """Show `settings`, then one `changed` (EMA decay and max norm keep their spin values
        while their feature is off)."""
        config = settings.run
        self.blockSignals(True)
        self._setting_whole = True
        for combo, value in (
            (self.task_combo, config.task),
            (self.paradigm_combo, config.paradigm),
            (self.optimizer_combo, config.optimizer),
            (self.pitfall_combo, config.pitfall),
            (self.dropout_combo, config.dropout),
            (self.pace_combo, "animate" if settings.pace == "animate" else None),
        ):
            combo.setCurrentIndex(combo.findData(value))
        for spin, value in (
            (self.seed_spin, config.seed),
            (self.lr_spin, config.lr),
            (self.steps_spin, config.steps),
            (self.ema_spin, config.ema_decay or self.ema_spin.value()),
            (self.clip_spin, config.clip_norm or self.clip_spin.value()),
            (self.batch_spin, config.batch_size),
            (self.l2_spin, config.l2),
            (self.rate_spin, settings.rate),
            (self.stop_at_spin, settings.stop_at or self.stop_at_spin.value()),
            (self.show_steps_spin, settings.show_steps or self.show_steps_spin.minimum()),
        ):
            spin.setValue(value)
        for check, on in (
            (self.ema_check, config.ema_decay is not None),
            (self.clip_check, config.clip_norm is not None),
            (self.smoothing_check, config.label_smoothing),
            (self.stop_at_check, settings.stop_at is not None),
            (self.log_check, settings.log_y),
        ):
            check.setChecked(on)
        self.smoothing_slider.setValue(settings.smoothing)
        self._setting_whole = False
        self.blockSignals(False)
        self._sync_enabled()
        self.logToggled.emit(settings.log_y)
        self.smoothingChanged.emit(settings.smoothing)
        self.showStepsChanged.emit(settings.show_steps)
        self.paceChanged.emit()
        self._changed()

    def reset(self):
        """The run's settings back to their defaults (pace and display stay), then one `changed`."""
        self.blockSignals(True)
        self.ema_spin.setValue(DEFAULT_EMA_DECAY)
        self.clip_spin.setValue(DEFAULT_CLIP_NORM)
        self.blockSignals(False)
        self.set_settings(self._shown_with(RunConfig()))
