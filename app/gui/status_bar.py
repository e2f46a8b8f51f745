"""The status bar: which step, the latest losses and test accuracy, the speed, the compile
state and the JAX backend. Every figure is the current run's: a new run clears them."""

from PySide6.QtWidgets import QLabel, QStatusBar

from app.gui.style import LABELS

SPEED_MIN_STEPS = 16
"""Chunks shorter than this (single steps, slow animation) say nothing about speed."""


class StatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.step_label = QLabel(objectName="stepLabel")
        self.loss_label = QLabel(objectName="lossLabel")
        self.speed_label = QLabel(objectName="speedLabel")
        self.compile_label = QLabel(objectName="compileLabel")
        self.backend_label = QLabel("loading JAX…", objectName="backendLabel")
        for label in (self.step_label, self.loss_label, self.speed_label, self.compile_label):
            self.addWidget(label)
        self.addPermanentWidget(self.backend_label)
        self._steps_per_second = None

    def new_run(self, config):
        self._steps_per_second = None
        self.step_label.setText(f"step 0 of {config.steps:,}")
        for label in (self.loss_label, self.speed_label, self.compile_label):
            label.setText("")

    def show_chunk(self, record, chunk):
        """The figures after `chunk`, the newest part of `record`."""
        self.compile_label.setText("")
        steps = chunk.end - chunk.start
        if chunk.seconds > 0 and steps >= SPEED_MIN_STEPS and not chunk.compiled:
            rate = steps / chunk.seconds
            smooth = self._steps_per_second
            self._steps_per_second = rate if smooth is None else 0.7 * smooth + 0.3 * rate
            self.speed_label.setText(f"{self._steps_per_second:,.0f} steps/s")
        if len(chunk.diverged_at) == len(record.config.compiled_paradigms):  # the run stopped there
            self.step_label.setText(f"diverged at step {max(chunk.diverged_at.values()):,} of {chunk.total_steps:,}")
        else:
            self.step_label.setText(f"step {chunk.end:,} of {chunk.total_steps:,}")
        losses = [f"{LABELS[p]} {m['loss'][-1]:.5g}" for p, m in chunk.metrics.items() if len(m["loss"])]
        tested = [f"{LABELS[p]} {record.tests(p)[1][-1]:.1%}" for p in record.paradigms if len(record.tests(p)[1])]
        if losses:
            accuracy = "   test accuracy: " + ", ".join(tested) if tested else ""
            self.loss_label.setText("loss: " + ", ".join(losses) + accuracy)

    def say(self, state: str):
        """A state of the run: "compiling…", "stopped", or "" once it runs."""
        self.compile_label.setText(state)

    def backend(self, name: str):
        self.backend_label.setText(f"JAX backend: {name}")
