"""The main window: controls on the left, curves and the fit top right, the two listings below.

Wiring lives here and only here: controls -> RunConfig -> worker thread -> chunks -> views.
"""

import math

import numpy as np
from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import remembered
from app.gui.code_view import CodePane
from app.gui.controls import Controls, lr_to_tick
from app.gui.digits_view import DigitsView
from app.gui.fit_view import FitView
from app.gui.lesson_bar import LessonBar
from app.gui.loss_plot import LossPlot
from app.gui.theme import Look, apply_to_application, zoomed
from app.gui.style import BANNER_ERROR, BANNER_INFO, BANNER_WARNING, LABELS, message_label
from app.gui.worker import TrainingWorker, start_worker_thread
from app.model.run_record import RunRecord
from app.model.settings import Settings
from app.lessons import LESSONS_DIR, LessonError, LessonStep, append_step, built_in_lessons, lesson_title, load_lesson
from app.training.listings import listing
from app.training.pitfall_notes import PITFALLS
from app.training.stability import past_the_edge, stability_edge


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

    SHORTCUTS = (
        ("R", "Run the current settings again"),
        ("Space", "Pause or resume"),
        ("S", "One step (pauses)"),
        ("Esc", "Stop"),
        ("P", "Pin the current curve"),
        ("Page Down / Page Up", "Next / previous lesson step"),
        ("Ctrl+= / Ctrl+- / Ctrl+0", "Bigger / smaller / normal text"),
        ("F11", "Full screen"),
    )

    def __init__(self, parent=None, remember: bool = True):
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
        self._sweep_view = None
        self.look = Look()
        self.lesson = None
        self.lesson_index = 0
        self.record = None  # the current run's RunRecord: what every view draws
        self._remember = remember
        self._shut_down = False

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
        self.banner = message_label("banner")
        self.banner.hide()
        self.caption = message_label("pitfallCaption", BANNER_INFO)
        self.caption.hide()
        self.lesson_bar = LessonBar()
        self.lesson_bar.previous.connect(lambda: self.go_to_step(self.lesson_index - 1))
        self.lesson_bar.next.connect(lambda: self.go_to_step(self.lesson_index + 1))
        self.lesson_bar.closed.connect(self.close_lesson)
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
        self.worker.sweepProgressed.connect(self._sweep_progressed)
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
        self.controls.paceChanged.connect(lambda: self.requestRate.emit(self.controls.settings().steps_per_second))
        self.controls.logToggled.connect(self.plot.set_log_y)
        self.controls.sweepClicked.connect(self.sweep)
        self.controls.pinClicked.connect(self.pin)
        self.controls.clearPinsClicked.connect(self.plot.clear_pins)
        self.controls.smoothingChanged.connect(self.plot.set_smoothing)
        self.plot.readout.connect(self.readout.setText)
        self._build_menus()
        if remember:
            unreadable = remembered.restore(self)
            if unreadable:
                self.statusBar().showMessage(
                    f"Some remembered settings could not be read ({', '.join(unreadable)}): "
                    "their defaults are used.", 20_000
                )

    def _build_menus(self):
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "Open Lesson…", self._open_lesson_dialog, QKeySequence.Open)
        self.lessons_menu = file_menu.addMenu("Lessons")
        for path in built_in_lessons():
            self._action(self.lessons_menu, lesson_title(path), lambda _checked=False, p=path: self.open_lesson(p))
        self._action(file_menu, "Save Settings as Lesson Step…", self._save_step_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "Export Plot as PNG…", lambda: self._export_plot_dialog("png"))
        self._action(file_menu, "Export Plot as SVG…", lambda: self._export_plot_dialog("svg"))
        self._action(file_menu, "Export Run as CSV…", self._export_csv_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "Quit", self.close, QKeySequence.Quit)
        edit_menu = bar.addMenu("&Edit")
        self._action(edit_menu, "Copy Listings", self.copy_listings)
        view_menu = bar.addMenu("&View")
        self._action(view_menu, "Bigger Text", lambda: self.zoom(+1), QKeySequence("Ctrl+="))
        self._action(view_menu, "Smaller Text", lambda: self.zoom(-1), QKeySequence("Ctrl+-"))
        self._action(view_menu, "Normal Text", lambda: self.zoom(0), QKeySequence("Ctrl+0"))
        self._action(view_menu, "Full Screen", self.toggle_full_screen, QKeySequence("F11"))
        self.dark_action = self._action(view_menu, "Dark Theme", self._dark_toggled)
        self.dark_action.setCheckable(True)
        view_menu.addSeparator()
        self._action(view_menu, "Reset Everything to Defaults", self.reset_everything)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Keyboard Shortcuts", self.show_shortcuts)
        for keys, slot in (
            ("R", self.rerun),
            ("Space", self.controls.pause_button.click),
            ("S", self.controls.step_button.click),
            ("Escape", self.stop),
            ("P", self.pin),
            ("PgDown", lambda: self.go_to_step(self.lesson_index + 1)),
            ("PgUp", lambda: self.go_to_step(self.lesson_index - 1)),
            ("Ctrl++", lambda: self.zoom(+1)),
        ):
            QShortcut(QKeySequence(keys), self, slot)

    def _action(self, menu, text, slot, shortcut=None):
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def set_look(self, look: Look):
        """Theme and text size for the whole window: controls, plots, listings alike."""
        self.look = look
        apply_to_application(look)
        for view in (self.plot, self.fit, self.digits_view, self._sweep_view, self.linen_pane, self.nnx_pane):
            if view is not None:
                view.apply_look(look)
        self.dark_action.setChecked(look.dark)
        # The controls take their new size once Qt has laid them out again.
        QTimer.singleShot(0, lambda: self._scroll.setMinimumWidth(self.controls.sizeHint().width() + 24))

    def zoom(self, direction: int):
        """Text one step bigger (+1), smaller (-1) or back to normal (0)."""
        self.set_look(Look(zoomed(self.look.zoom, direction), self.look.theme))

    def reset_everything(self):
        """Forget what was remembered: default look, size, run and display settings, then re-run."""
        remembered.forget()
        self.set_look(Look())
        if self.isFullScreen():
            self.showNormal()
        self.resize(1840, 1000)
        self.controls.set_settings(Settings())

    def _dark_toggled(self, dark):
        self.set_look(Look(self.look.zoom, "dark" if dark else "light"))

    def toggle_full_screen(self):
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def show_shortcuts(self):
        rows = "".join(f"<tr><td><b>{keys}</b></td><td>&nbsp;&nbsp;{what}</td></tr>" for keys, what in self.SHORTCUTS)
        QMessageBox.information(self, "Keyboard Shortcuts", f"<table>{rows}</table>")

    def open_lesson(self, path) -> bool:
        """Open a lesson (a file, or a built-in lesson's name) at its first step; a bad file
        leaves everything as it was."""
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            self._show_banner(BANNER_ERROR, f"The lesson could not be opened. {error}")
            return False
        self.lesson = lesson
        self.go_to_step(0)
        return True

    def go_to_step(self, index: int):
        """Apply a lesson step's settings and run them."""
        if self.lesson is None or not 0 <= index < len(self.lesson.steps):
            return
        self.lesson_index = index
        self.lesson_bar.show_step(self.lesson, index)
        self.controls.set_settings(self.lesson.steps[index].settings)

    def close_lesson(self):
        self.lesson = None
        self.lesson_bar.hide()

    def save_step(self, path, title: str, caption: str):
        """Append the current settings to a lesson file as a step."""
        return append_step(path, LessonStep(title, caption, self.controls.settings()))

    def _open_lesson_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open Lesson", str(LESSONS_DIR), "Lessons (*.json)")
        if path:
            self.open_lesson(path)

    def _save_step_dialog(self):
        path, _ = QFileDialog.getSaveFileName(
            self, "Save Settings as Lesson Step", QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation),
            "Lessons (*.json)",
            options=QFileDialog.DontConfirmOverwrite,  # the step is appended, nothing is overwritten
        )
        if not path:
            return
        title, ok = QInputDialog.getText(self, "Lesson step", "Step title:")
        if not ok:
            return
        caption, ok = QInputDialog.getMultiLineText(self, "Lesson step", "Caption (two or three sentences):")
        if ok:
            try:
                self.save_step(path, title.strip() or "Untitled step", caption.strip() or title.strip() or "No caption.")
            except (LessonError, OSError) as error:
                self._show_banner(BANNER_ERROR, f"The step was not saved. {error}")

    # Exports and the sweep window are built on first use: start-up stays short.
    def export_plot(self, path):
        from app.gui.export import export_plot

        export_plot(self.plot, path)

    def export_csv(self, path) -> int:
        with open(path, "w", newline="") as file:
            return self.record.to_csv(file)

    @property
    def sweep_view(self):
        if self._sweep_view is None:
            from app.gui.sweep_view import SweepView

            self._sweep_view = SweepView(self)
            self._sweep_view.apply_look(self.look)
        return self._sweep_view

    def copy_listings(self):
        """Both listings as plain text, headed by their paradigm."""
        text = f"# Linen\n\n{self.linen_pane.text()}\n\n# NNX\n\n{self.nnx_pane.text()}\n"
        QApplication.clipboard().setText(text)

    def _export_plot_dialog(self, kind):
        path, _ = QFileDialog.getSaveFileName(self, "Export Plot", f"loss.{kind}", f"{kind.upper()} (*.{kind})")
        if path:
            self._report_export(lambda: self.export_plot(path))

    def _export_csv_dialog(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export Run", "run.csv", "CSV (*.csv)")
        if path:
            self._report_export(lambda: self.export_csv(path))

    def _report_export(self, save):
        try:
            save()
        except (OSError, ValueError) as error:
            self._show_banner(BANNER_ERROR, f"Nothing was saved: {error}")

    def _build_layout(self):
        self._scroll = scroll = QScrollArea()
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
        top_layout.addWidget(self.lesson_bar)
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
        if self._thread is None and not self._shut_down:
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
        self._cancel_sweep("Stopped: the settings changed. Press Sweep again for the new settings.")
        self.record = RunRecord(config)
        self.run_id += 1
        self._steps_per_second = None
        self.banner.hide()
        self.plot.reset(self.record)
        self.fit.new_run()
        self.difference.setText("")
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
        if self._sweep_view is not None:
            self._sweep_view.set_lr(config.lr)
        self.step_label.setText(f"step 0 of {self.config.steps:,}")
        self.loss_label.setText("")
        self.speed_label.setText("")  # a figure of the last run would be false for this one
        self.requestStart.emit(self.run_id, self.config, self.controls.settings().steps_per_second, False)

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
        clipped = config.clip_norm is not None
        edge = stability_edge(config.task, config.optimizer, clipped)
        tip = f"Red mark: the stability edge, lr = {edge:.3g}; a run past it {past_the_edge(clipped, config.optimizer)}." if edge else ""
        self.controls.lr_slider.set_mark(None if edge is None else lr_to_tick(edge), tip)

    def sweep(self):
        """Sweep the learning rate for the current settings, in the worker, and show it as it fills in."""
        if self._thread is None or self.config is None:
            return
        self.sweep_id += 1
        self._swept = self.config
        self.sweep_view.start(self.config)
        self.sweep_view.show()
        self.requestSweep.emit(self.sweep_id, self.config)

    def _cancel_sweep(self, why: str):
        """The worker drops the sweep with the run; the view keeps the points it has and says why."""
        if self._swept is not None:
            self.sweep_id += 1
            self._swept = None
            self.sweep_view.cancelled(why)

    @Slot(int, object, float)
    def _sweep_progressed(self, sweep_id, result, done):
        if sweep_id == self.sweep_id:
            self.sweep_view.show_sweep(result, self._swept, done)

    @Slot(int, object)
    def _show_sweep(self, sweep_id, result):
        if sweep_id != self.sweep_id:
            return
        if isinstance(result, str):
            self.sweep_view.failed(result)
        else:
            self.sweep_view.show_sweep(result, self._swept, 1.0)
            self.sweep_view.set_lr(self.config.lr)
        self._swept = None
        self.sweepShown.emit()

    def pin(self):
        """Keep the current run's loss curve as a ghost labelled by what differs from the others."""
        if self.config is not None:
            self.plot.pin(self.config)

    def _show_caption(self, pitfall):
        if pitfall is None:
            self.caption.hide()
            return
        adjusted = f"\n\n{self.controls.adjustment}" if self.controls.adjustment else ""
        self.caption.setText(f"Pitfall {pitfall}: {PITFALLS[pitfall].caption}{adjusted}")
        self.caption.show()

    @Slot(int, object)
    def _pitfall_raised(self, run_id, errors):
        if run_id != self.run_id:
            return
        raised = "  ".join(f"{LABELS[p]} raised {' '.join(message.split())}" for p, message in errors.items())
        self.caption.setText(self.caption.text() + "\n\n" + raised)

    def stop(self):
        self._cancel_sweep("Stopped. The points so far stay; press Sweep to run it again.")
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
        self.record.append(chunk)
        self.plot.append(chunk)
        gap = self.record.max_gap
        self.difference.setText("" if math.isnan(gap) else f"max |Linen − NNX| loss: {gap:.3g}")
        if self.config.task == "digits":
            self.digits_view.show_predictions(chunk.weights)
        else:
            self.fit.show_weights(chunk.weights, chunk.diverged_at)
        self.compile_label.setText("")
        steps = chunk.end - chunk.start
        if chunk.seconds > 0 and steps >= 16 and not chunk.compiled:
            rate = steps / chunk.seconds
            self._steps_per_second = rate if self._steps_per_second is None else 0.7 * self._steps_per_second + 0.3 * rate
        if len(chunk.diverged_at) == len(self.config.compiled_paradigms):  # the run stopped there
            self.step_label.setText(f"diverged at step {max(chunk.diverged_at.values()):,} of {chunk.total_steps:,}")
        else:
            self.step_label.setText(f"step {chunk.end:,} of {chunk.total_steps:,}")
        losses = [f"{LABELS[p]} {m['loss'][-1]:.5g}" for p, m in chunk.metrics.items() if len(m["loss"])]
        tested = [f"{LABELS[p]} {self.record.tests(p)[1][-1]:.1%}" for p in self.record.paradigms if len(self.record.tests(p)[1])]
        if losses:
            self.loss_label.setText("loss: " + ", ".join(losses) + ("   test accuracy: " + ", ".join(tested) if tested else ""))
        if self._steps_per_second:
            self.speed_label.setText(f"{self._steps_per_second:,.0f} steps/s")
        if chunk.diverged_at:
            self._show_divergence(chunk.diverged_at)
        self._stop_at_target()
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

    def _stop_at_target(self):
        """Stop by itself once a loss reaches the target, and say at which step."""
        target = self.controls.settings().stop_at
        if target is None or self.finished_run == self.run_id:
            return
        reached = self.record.first_step_at_or_below(target)
        if reached:
            self.requestStop.emit()
            self.finished_run = self.run_id
            which = " and ".join(f"{LABELS[p]} at step {k:,}" for p, k in sorted(reached.items()))
            self._show_banner(BANNER_INFO, f"Stopped: the loss reached {target:g} ({which}).")

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
        if self._remember:
            remembered.save(self)
        self.hide()  # at once: the wait below is for a compile in flight, if any
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self):
        """Stop the run, the sweep and the thread, and wait for the thread to end.

        A run or a sweep stops within one chunk or piece (~50 ms); a compile in flight cannot be
        interrupted, so the wait lasts until it ends. The thread is never dropped while running.
        """
        self._shut_down = True
        if self._thread is not None:
            self.requestStop.emit()
            self._thread.quit()
            self._thread.wait()
            self._thread = None

