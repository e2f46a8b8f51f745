"""The main window: controls on the left, curves and the fit top right, the two listings below.

Wiring lives here and only here: controls -> RunConfig -> worker thread -> chunks -> views.
"""

import math

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.code_view import CodePane
from app.gui.controls import Controls, lr_to_tick
from app.gui.digits_view import DigitsView
from app.gui.fit_view import FitView
from app.gui.loss_plot import LossPlot
from app.gui.sweep_view import SweepView
from app.gui.style import BANNER_ERROR, BANNER_INFO, BANNER_WARNING, LABELS
from app.gui.worker import TrainingWorker, start_worker_thread
from app.training.listings import listing
from app.training.pitfall_notes import PITFALLS
from app.training.stability import stability_edge


class MainWindow(QMainWindow):
    """Train Step Lab's window. The training thread starts when the window is first shown."""

    requestStart = Signal(int, object, float, bool)
    requestStop = Signal()
    requestPause = Signal(bool)
    requestRate = Signal(float)
    requestStep = Signal()
    requestSweep = Signal(int, object)
    sweepShown = Signal()
    chunkShown = Signal(int)  # run id, after a chunk of the current run reached the views
    runFinished = Signal(int)
    runStopped = Signal()  # the worker dropped its run; every chunk it sent has been shown
    runPaused = Signal(bool)
    runErrored = Signal(str)
    backendReady = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Train Step Lab")
        self.resize(1840, 1000)
        self.run_id = 0
        self.config = None
        self.finished_run = 0
        self._thread = None
        self._steps_per_second = None
        self._marks = None
        self._listed = None
        self.sweep_id = 0
        self._swept = None
        self.sweep_view = SweepView(self)

        self.controls = Controls()
        self.plot = LossPlot()
        self.fit = FitView()
        self.digits_view = DigitsView()
        self.model_views = QStackedWidget()
        self.model_views.addWidget(self.fit)
        self.model_views.addWidget(self.digits_view)
        self.linen_pane = CodePane("Linen: state = train_step(state, ...), a new TrainState every step")
        self.nnx_pane = CodePane("NNX: optimizer.update(model, grads) changes the model in place")
        self._show_listings("line", None)
        self.banner = QLabel(objectName="banner", wordWrap=True)
        self.banner.hide()
        self.caption = QLabel(objectName="pitfallCaption", wordWrap=True, styleSheet=BANNER_INFO)
        self.caption.hide()
        self.readout = QLabel("Hover over the curves to read a step's values.", objectName="readout")
        self.difference = QLabel(objectName="differenceLabel")
        self.difference.setToolTip("The largest gap between the Linen and NNX loss at the same step: they run the same math.")
        self._build_layout()
        self._build_status_bar()

        self.worker = TrainingWorker()
        queued = Qt.QueuedConnection  # requests wait in the worker thread's queue, behind JAX's import
        self.requestStart.connect(self.worker.start, queued)
        self.requestStop.connect(self.worker.stop, queued)
        self.requestPause.connect(self.worker.set_paused, queued)
        self.requestRate.connect(self.worker.set_rate, queued)
        self.requestStep.connect(self.worker.single_step, queued)
        self.requestSweep.connect(self.worker.sweep, queued)
        self.worker.swept.connect(self._show_sweep)
        self.worker.ready.connect(self._backend_ready)
        self.worker.compiling.connect(self._compiling)
        self.worker.chunkReady.connect(self._show_chunk)
        self.worker.finished.connect(self._finished)
        self.worker.errored.connect(self._errored)
        self.worker.stopped.connect(self._stopped)
        self.worker.paused.connect(self._paused)
        self.worker.raised.connect(self._pitfall_raised)

        self.controls.changed.connect(self.rerun)
        self.controls.runClicked.connect(self.rerun)
        self.controls.stopClicked.connect(self.stop)
        self.controls.pauseToggled.connect(self.requestPause)
        self.controls.stepClicked.connect(self._single_step)
        self.controls.paceChanged.connect(lambda: self.requestRate.emit(self.controls.rate()))
        self.controls.logToggled.connect(self.plot.set_log_y)
        self.controls.sweepClicked.connect(self.sweep)
        self.controls.pinClicked.connect(self.pin)
        self.controls.clearPinsClicked.connect(self.plot.clear_pins)
        self.plot.readout.connect(self.readout.setText)
        self.plot.difference.connect(self._show_difference)

    def _build_layout(self):
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(self.controls.sizeHint().width() + 24)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        readouts = QHBoxLayout()
        readouts.addWidget(self.readout, 1)
        readouts.addWidget(self.difference)
        plots = QSplitter(Qt.Horizontal)
        plots.addWidget(self.plot)
        plots.addWidget(self.model_views)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.banner)
        top_layout.addWidget(self.caption)
        top_layout.addLayout(readouts)
        top_layout.addWidget(plots, 1)
        listings = QSplitter(Qt.Horizontal)
        listings.addWidget(self.linen_pane)
        listings.addWidget(self.nnx_pane)
        right = QSplitter(Qt.Vertical)
        right.addWidget(top)
        right.addWidget(listings)
        right.setSizes([540, 460])
        centre = QSplitter(Qt.Horizontal)
        centre.addWidget(scroll)
        centre.addWidget(right)
        centre.setStretchFactor(1, 1)
        self.setCentralWidget(centre)

    def _build_status_bar(self):
        self.step_label = QLabel(objectName="stepLabel")
        self.loss_label = QLabel(objectName="lossLabel")
        self.speed_label = QLabel(objectName="speedLabel")
        self.compile_label = QLabel(objectName="compileLabel")
        self.backend_label = QLabel("loading JAX…", objectName="backendLabel")
        bar = self.statusBar()
        for label in (self.step_label, self.loss_label, self.speed_label, self.compile_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.backend_label)

    def showEvent(self, event):
        super().showEvent(event)
        if self._thread is None:
            QTimer.singleShot(0, self._start_thread)

    def _start_thread(self):
        if self._thread is None:
            self._thread = start_worker_thread(self.worker)
            self.rerun()

    def rerun(self):
        """Start the current settings from step 0, replacing the run in flight."""
        if self._thread is None:
            return  # the first run starts with the thread, once the window is shown
        try:
            config = self.controls.config()
        except ValueError as error:  # a combination the controls allow but a run does not
            self._show_banner(BANNER_ERROR, f"These settings cannot run: {error}.")
            return
        self.config = config
        self.run_id += 1
        self._steps_per_second = None
        self.banner.hide()
        self.plot.reset(self.config)
        self._show_listings(self.config.task, self.config.pitfall)
        self._show_caption(self.config.pitfall)
        marks = {"ema": self.config.ema_decay is not None, "clip": self.config.clip_norm is not None, "bug": True}
        if marks != self._marks:
            self.linen_pane.mark(marks)
            self.nnx_pane.mark(marks)
            self._marks = marks
        self.controls.set_paused(False)
        self._mark_edge(config)
        self.plot.label_pins(config)
        self.sweep_view.set_lr(config.lr)
        self.step_label.setText(f"step 0 of {self.config.steps:,}")
        self.loss_label.setText("")
        self.requestStart.emit(self.run_id, self.config, self.controls.rate(), False)

    def _show_listings(self, task, pitfall):
        """The task's model view and the listings of the real step source (a pitfall's too)."""
        if (task, pitfall) == self._listed:
            return
        self._listed = (task, pitfall)
        self.linen_pane.show_listing(listing("linen", task, pitfall))
        self.nnx_pane.show_listing(listing("nnx", task, pitfall))
        self._marks = None  # the new text has its own feature lines
        self.model_views.setCurrentWidget(self.digits_view if task == "digits" else self.fit)
        self.digits_view.clear()

    def _mark_edge(self, config):
        edge = stability_edge(config.task, config.optimizer, config.clip_norm is not None)
        tip = f"Red mark: the stability edge, lr = {edge:.3g}; plain steps diverge past it." if edge else ""
        self.controls.lr_slider.set_mark(None if edge is None else lr_to_tick(edge), tip)

    def sweep(self):
        """Sweep the learning rate for the current settings, in the worker, and show it."""
        if self._thread is None or self.config is None:
            return
        self.sweep_id += 1
        self.sweep_view.note.setText("Running 64 learning rates…")
        self.sweep_view.show()
        self._swept = self.config
        self.requestSweep.emit(self.sweep_id, self.config)

    @Slot(int, object)
    def _show_sweep(self, sweep_id, result):
        if sweep_id != self.sweep_id:
            return
        if isinstance(result, str):
            self.sweep_view.note.setText(f"The sweep failed: {result}")
        else:
            self.sweep_view.show_sweep(result, self._swept)
            self.sweep_view.set_lr(self.config.lr)
        self.sweepShown.emit()

    def pin(self):
        """Keep the current run's loss curve as a ghost labelled by what differs from the others."""
        if self.config is not None:
            self.plot.pin(self.config)

    def _show_caption(self, pitfall):
        if pitfall is None:
            self.caption.hide()
            return
        self.caption.setText(f"Pitfall {pitfall}: {PITFALLS[pitfall].caption}")
        self.caption.show()

    @Slot(int, object)
    def _pitfall_raised(self, run_id, errors):
        if run_id != self.run_id:
            return
        raised = "  ".join(f"{LABELS[p]} raised {' '.join(message.split())}" for p, message in errors.items())
        self.caption.setText(self.caption.text() + "\n\n" + raised)

    def stop(self):
        self.requestStop.emit()

    @Slot()
    def _stopped(self):
        self.compile_label.setText("stopped")
        self.runStopped.emit()

    @Slot(bool)
    def _paused(self, paused):
        self.runPaused.emit(paused)

    def _single_step(self):
        self.controls.set_paused(True)
        self.requestStep.emit()

    @Slot(str)
    def _backend_ready(self, backend):
        self.backend_label.setText(f"JAX backend: {backend}")
        self.backendReady.emit(backend)

    @Slot(int)
    def _compiling(self, run_id):
        if run_id == self.run_id:
            self.compile_label.setText("compiling…")

    @Slot(int, object)
    def _show_chunk(self, run_id, chunk):
        if run_id != self.run_id:
            return  # a chunk of a run that was replaced: never drawn
        self.plot.append(chunk)
        if self.config.task == "digits":
            self.digits_view.show_predictions(chunk.weights)
        else:
            self.fit.show_weights(chunk.weights)
        self.compile_label.setText("")
        steps = chunk.end - chunk.start
        if chunk.seconds > 0 and steps >= 16 and not chunk.compiled:
            rate = steps / chunk.seconds
            self._steps_per_second = rate if self._steps_per_second is None else 0.7 * self._steps_per_second + 0.3 * rate
        self.step_label.setText(f"step {chunk.end:,} of {chunk.total_steps:,}")
        losses = [f"{LABELS[p]} {m['loss'][-1]:.5g}" for p, m in chunk.metrics.items() if len(m["loss"])]
        tested = [f"{LABELS[p]} {self.plot.test[p].values[-1]:.1%}" for p in self.config.paradigms if len(self.plot.test[p])]
        if losses:
            self.loss_label.setText("loss: " + ", ".join(losses) + ("   test accuracy: " + ", ".join(tested) if tested else ""))
        if self._steps_per_second:
            self.speed_label.setText(f"{self._steps_per_second:,.0f} steps/s")
        if chunk.diverged_at:
            self._show_divergence(chunk.diverged_at)
        self.chunkShown.emit(run_id)

    def _show_divergence(self, diverged_at):
        which = " and ".join(f"{LABELS[p]} at step {k:,}" for p, k in sorted(diverged_at.items()))
        self._show_banner(
            BANNER_WARNING,
            f"Diverged: the loss became inf/NaN ({which}). The curve stops where it was last finite. "
            f"Try a lower learning rate than {self.config.lr:g}, or turn on gradient clipping.",
        )

    def _show_banner(self, style, text):
        self.banner.setStyleSheet(style)
        self.banner.setText(text)
        self.banner.show()

    def _show_difference(self, value):
        self.difference.setText("" if math.isnan(value) else f"max |Linen − NNX| loss: {value:.3g}")

    @Slot(int)
    def _finished(self, run_id):
        if run_id == self.run_id:
            self.finished_run = run_id
            self.runFinished.emit(run_id)

    @Slot(int, str)
    def _errored(self, run_id, message):
        if run_id != self.run_id:
            return
        self.compile_label.setText("")
        self._show_banner(
            BANNER_ERROR, f"The run failed: {message}. The app is fine: change a setting or press Run to try again."
        )
        self.runErrored.emit(message)

    def closeEvent(self, event):
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self):
        """Stop the run and the thread, waiting for it (a chunk is ~1/60 s)."""
        if self._thread is not None:
            self.requestStop.emit()
            self._thread.quit()
            self._thread.wait(5000)
            self._thread = None
