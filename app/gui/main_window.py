"""The main window: it assembles the views and connects them to the controllers.

Data flows one way: controls -> Settings -> run controller -> worker thread -> chunks ->
RunRecord -> views. Commands (menus, keys) come from `actions.COMMANDS`; the run's life from
`RunController`; lessons from `LessonController`.
"""

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QStackedWidget,
)

from app.gui import layout, presentation, remembered
from app.gui.actions import BARE_KEYS, build_commands
from app.gui.controls import Controls
from app.gui.digits_view import DigitsView
from app.gui.fit_view import FitView
from app.gui.landscape_view import LandscapeView
from app.gui.lesson_bar import LessonBar
from app.gui.lesson_controller import LessonController
from app.gui.listings_view import ListingsView
from app.gui.loss_plot import LossPlot
from app.gui.message_bar import MessageBar
from app.gui.run_controller import RunController
from app.gui.status_bar import StatusBar
from app.gui.step_view import StepInspectorView, notes
from app.gui.style import LABELS
from app.gui.sweep_controller import SweepController
from app.gui.theme import Look, apply_to_application, zoomed
from app.model.command_line import command_line
from app.model.files import write_file
from app.model.pitfall_notes import PITFALLS
from app.model.settings import Settings

MODEL_TABS = {"line": "Data and line", "digits": "Test digits"}


LANDSCAPE_TIPS = {
    "line": "The loss over the line's two weights, and the path the weights take",
    "digits": "The loss landscape is drawn for the line fit: its loss has two weights to plot against",
}
PANEL_SHARE = 0.45
START_AT_THE_LATEST_MS = 1000
"""A window shown but not yet on screen (minimised, say) starts training after this anyway."""


class MainWindow(QMainWindow):
    """Train Step Lab's window. The training thread starts once the window is first on screen."""

    sweepShown = Signal()  # a sweep finished (or failed) and is drawn
    runFinished = Signal(int)  # run id
    runStopped = Signal()  # the worker dropped its run; every chunk it sent has been shown
    runPaused = Signal(bool)
    runErrored = Signal(str)

    def __init__(self, parent=None, remember: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Train Step Lab")
        self.config = None
        self.look = Look()
        self.presenting = None  # while presenting: what to go back to (see `presentation`)
        self._remember = remember

        self.controls = Controls()
        self.plot = LossPlot()
        self.fit = FitView()
        self.digits_view = DigitsView()
        self.model_views = QStackedWidget()
        self.model_views.addWidget(self.fit)
        self.model_views.addWidget(self.digits_view)
        self.landscape = LandscapeView()
        self.step_view = StepInspectorView()
        self.listings = ListingsView()
        self.linen_pane, self.nnx_pane = self.listings.linen_pane, self.listings.nnx_pane
        self.banner = MessageBar("banner", "info", lines=2)
        self.caption = MessageBar("pitfallCaption", "info", lines=3)
        self.lesson_bar = LessonBar()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.controls_column = layout.assemble(self)
        layout.fit_to_screen(self)

        self.runs = RunController(self)
        self.sweeps = SweepController(self.runs, self)
        self.sweeps.shown.connect(self.sweepShown)
        self.sweeps.lrPicked.connect(self.pick_lr)
        self._pin_run = None  # a run to pin once it finishes (a Shift-clicked sweep point)
        self._stepped = False  # a single step was asked for: its inspection comes to the front
        self.lessons = LessonController(self.lesson_bar, self)
        self._connect()
        self.actions = build_commands(self)  # menus, shortcuts, and File ▸ Lessons
        self.actions["Controls"].setChecked(True)
        if remember:
            unreadable = remembered.restore(self)
            if unreadable:
                self.status.showMessage(
                    f"Some remembered settings could not be read ({', '.join(unreadable)}): their defaults are used.",
                    20_000,
                )

    def _connect(self):
        controls, runs = self.controls, self.runs
        controls.changed.connect(self.rerun)
        controls.runClicked.connect(self.rerun)
        controls.stopClicked.connect(self.stop)
        controls.pauseToggled.connect(runs.pause)
        controls.stepClicked.connect(self.single_step)
        controls.paceChanged.connect(lambda: runs.set_rate(controls.steps_per_second()))
        controls.logToggled.connect(self.plot.set_log_y)
        controls.sweepClicked.connect(self.sweep)
        controls.pinClicked.connect(self.pin)
        controls.clearPinsClicked.connect(self.plot.clear_pins)
        controls.clearPinsClicked.connect(self.landscape.clear_pins)
        controls.smoothingChanged.connect(self.plot.set_smoothing)
        controls.showStepsChanged.connect(self.plot.set_show_steps)
        self.plot.readout.connect(self.status.show_readout)
        runs.ready.connect(self.status.backend)
        runs.compiling.connect(lambda: (self.status.say("compiling…"), self.plot.show_compiling(True)))
        runs.chunkArrived.connect(self._on_run_chunk)
        runs.finished.connect(self._on_run_finished)
        runs.stopped.connect(self._on_run_stopped)
        runs.paused.connect(self.runPaused)
        runs.errored.connect(self._on_run_errored)
        runs.raised.connect(self._on_run_raised)
        self.lessons.settingsChosen.connect(self.controls.set_settings)
        self.lessons.panelChosen.connect(self.show_panel)
        runs.inspected.connect(self._on_inspected)
        self.step_view.lineChosen.connect(lambda p, line: self.listings.panes[p].editor.select_line(line))
        self.lessons.failed.connect(self.show_error)

    # The run: start, chunks, end.
    @property
    def run_id(self) -> int:
        return self.runs.run_id

    @property
    def finished_run(self) -> int:
        return self.runs.finished_run

    @property
    def record(self):
        return self.runs.record

    @property
    def lesson(self):
        return self.lessons.lesson

    def showEvent(self, event):
        super().showEvent(event)
        if not self.runs.running:
            self.windowHandle().installEventFilter(self)  # training starts once the window is on screen
            QTimer.singleShot(START_AT_THE_LATEST_MS, self, self._start_training)

    def eventFilter(self, watched, event):
        if watched is self.windowHandle() and event.type() == QEvent.Expose and watched.isExposed():
            watched.removeEventFilter(self)
            # After this first paint: JAX's import in the worker thread would hold the GIL against it.
            QTimer.singleShot(0, self, self._start_training)
        return super().eventFilter(watched, event)

    def _start_training(self):
        """Start the training thread (it loads JAX) and the first run, once."""
        if not self.runs.running and self.runs.start_thread():
            self.rerun()

    def rerun(self):
        """Start the current settings from step 0, replacing the run in flight."""
        if not self.runs.running:
            return  # the first run starts with the thread, once the window is shown
        try:
            settings = self.controls.settings()
        except ValueError as error:  # a combination the controls allow but a run does not
            self.show_error(f"These settings cannot run: {error}.")
            return
        config = settings.run
        self.sweeps.cancelled("Stopped: a new run started. Press Sweep to sweep its settings.")
        self.config = config
        record = self.runs.start(config, settings.steps_per_second)
        self.banner.hide()
        self.plot.reset(record)
        self.plot.label_pins(config)
        self.fit.new_run()
        self.landscape.new_run(record)
        self.step_view.new_run()
        self._clear_notes()
        landscape = self.side_tabs.indexOf(self.landscape)
        self.side_tabs.setTabEnabled(landscape, config.task == "line")
        self.side_tabs.setTabToolTip(landscape, LANDSCAPE_TIPS[config.task])
        self.status.new_run(config)
        self.controls.set_paused(False)
        self.listings.show_run(config)
        if self.model_views.currentWidget() is not self._model_view(config.task):
            self.model_views.setCurrentWidget(self._model_view(config.task))
            self.side_tabs.setTabText(0, MODEL_TABS[config.task])
            self.digits_view.clear()
        self._show_caption(config.pitfall)
        self.controls.mark_edge(config)
        self.sweeps.show_lr(config.lr)

    def _model_view(self, task):
        return self.digits_view if task == "digits" else self.fit

    def _show_caption(self, pitfall):
        if pitfall is not None:
            adjusted = f"\n\n{self.controls.adjustment}" if self.controls.adjustment else ""
            self.caption.setText(f"Pitfall {pitfall}: {PITFALLS[pitfall].caption}{adjusted}")
        self.caption.setVisible(pitfall is not None)

    def _on_run_chunk(self, chunk):
        record = self.record
        shown = self.step_view.inspection
        if shown is not None and chunk.end > shown.step + 1:  # the run went on: the notes are of the past
            self._clear_notes()
        self.plot.append(chunk)
        if self.config.task == "digits":
            self.digits_view.show_predictions(chunk.shown)
        else:
            self.fit.show_weights(chunk.shown, chunk.diverged_at)
            self.landscape.request()
        self.status.show_chunk(record, chunk)
        if chunk.diverged_at:
            self.show_banner("warning", self._divergence_text(chunk.diverged_at))
        target = self.controls.stop_at()
        # Only this chunk can be the first to reach the target: the whole record is searched
        # (for the steps to name) once it has, not on every chunk.
        hit = target is not None and any((m["loss"] <= target).any() for m in chunk.metrics.values())
        reached = record.first_step_at_or_below(target) if hit else {}
        if reached and self.finished_run != self.run_id:
            self.runs.finish()
            which = " and ".join(f"{LABELS[p]} at step {k:,}" for p, k in sorted(reached.items()))
            self.show_banner("info", f"Stopped: the loss reached {target:g} ({which}).")

    def _clear_notes(self):
        for pane in self.listings.panes.values():
            pane.editor.set_notes({})

    def _on_inspected(self, inspection):
        """The last step from the inside: shown, and brought to the front."""
        self.step_view.listings = {p: pane.listing for p, pane in self.listings.panes.items()}
        self.step_view.show_inspection(inspection)
        if self.config.task == "line":
            self.landscape.show_step(inspection)
        stepped, self._stepped = self._stepped, False
        for p, pane in self.listings.panes.items():
            pane.editor.set_notes({} if isinstance(inspection, str) else notes(inspection, p, pane.listing))
        if stepped and self.side_tabs.currentWidget() is not self.landscape:  # its arrows show it too
            self.show_panel("step")

    def _on_run_finished(self, run_id):
        if self.landscape.isVisible():
            self.landscape.redraw()  # its last steps now, not at the next timer tick
        if run_id == self._pin_run:
            self._pin_run = None
            self.pin()
        self.runFinished.emit(run_id)

    def pick_lr(self, lr: float, pin: bool):
        """Run at `lr` (a sweep point clicked); with `pin`, pin that run once it finishes."""
        before = self.run_id
        self.controls.lr_spin.setValue(lr)  # what the box keeps is what runs
        self._pin_run = None
        if not pin:
            return
        if self.run_id != before:
            self._pin_run = self.run_id
        elif self.config.lr == self.controls.lr_spin.value() and self.finished_run == self.run_id:
            self.pin()  # the rate of the run shown: pin it now

    def _divergence_text(self, diverged: dict[str, int]) -> str:
        """What the banner says of a divergence: the learning rate's fault, unless only the
        paradigm with a pitfall diverged while the correct step, at the same rate, did not."""
        which = " and ".join(f"{LABELS[p]} at step {k:,}" for p, k in sorted(diverged.items()))
        said = f"Diverged: the loss became inf/NaN ({which}). The curve stops where it was last finite. "
        note = PITFALLS.get(self.config.pitfall)
        correct = [p for p in self.config.compiled_paradigms if p not in diverged]
        if note and set(diverged) == {note.paradigm} and correct:
            return said + (
                f"{LABELS[correct[0]]} runs the correct step at the same learning rate and has not diverged: "
                f"the pitfall in {LABELS[note.paradigm]}, not the learning rate, is the cause."
            )
        return said + f"Try a lower learning rate than {self.config.lr:g}, or turn on gradient clipping."

    def _on_run_stopped(self):
        self.status.say("stopped")
        self.plot.show_compiling(False)
        self.runStopped.emit()

    def _on_run_raised(self, errors):
        raised = "  ".join(f"{LABELS[p]} raised {' '.join(message.split())}" for p, message in errors.items())
        self.caption.setText(self.caption.text() + "\n\n" + raised)

    def _on_run_errored(self, message):
        self.status.say("")
        self.plot.show_compiling(False)
        self.show_error(f"The run failed: {message}. The app is fine: change a setting or press Run to try again.")
        self.runErrored.emit(message)

    def show_banner(self, kind, text):
        """A banner over the plots: `kind` is "info", "warning" or "error" (the same banner
        again, from the next chunk, say, leaves it as it is: its Details stay open)."""
        self.banner.set_kind(kind)
        self.banner.setText(text)
        self.banner.show()

    def show_error(self, text):
        self.show_banner("error", text)

    def stop(self):
        self.sweeps.cancelled("Stopped. The points so far stay; press Sweep to run it again.")
        self.runs.stop()

    def single_step(self):
        self.controls.set_paused(True)
        self._stepped = True  # the step it shows comes to the front (a pause only updates it)
        self.runs.step()

    def show_panel(self, name: str):
        """Bring a view beside the plot to the front (a lesson step is about it), with room to
        read it: at least PANEL_SHARE of the plots' width."""
        panel = {"landscape": self.landscape, "step": self.step_view}[name]
        self.side_tabs.setCurrentWidget(panel)
        plots = self.splitters["plots"]
        total = sum(plots.sizes())
        if plots.sizes()[1] < PANEL_SHARE * total:
            plots.setSizes([round((1 - PANEL_SHARE) * total), round(PANEL_SHARE * total)])

    def pin(self):
        """Keep the current run's loss curve as a ghost labelled by what differs from the others."""
        if self.config is not None:
            self.plot.pin(self.config)
            self.landscape.pin()

    def sweep(self):
        """Sweep the learning rate for the current settings; the sweep view fills in."""
        if self.config is not None:
            self.sweeps.start(self.config)

    @property
    def sweep_view(self):
        return self.sweeps.view

    def open_lesson(self, path) -> bool:
        """Open a lesson (a file, or a built-in lesson's name) at its first step."""
        return self.lessons.open(path)

    def save_step(self, path, title: str, caption: str):
        """Append the current settings to a lesson file as a step (settings that cannot run
        are not saved: the banner says why)."""
        try:
            settings = self.controls.settings()
        except ValueError as error:
            self.show_error(f"The step was not saved: these settings cannot run: {error}.")
            return None
        return self.lessons.save_step(path, title, caption, settings)

    def export_plot(self, path) -> Path:
        """Save the plot as PNG or SVG (SaveError or ValueError says why not)."""
        from app.gui.export import export_plot  # built on first use: start-up stays short

        return export_plot(self.plot, path)

    def export_csv(self, path) -> int:
        """Save the run's every step as CSV, whole or not at all; returns the rows written."""
        rows = []
        write_file(path, lambda file: rows.append(self.record.to_csv(file)))
        return rows[0]

    def copy_listings(self):
        """Both listings as plain text, headed by their paradigm."""
        QApplication.clipboard().setText(self.listings.text())

    def copy_command(self):
        """The `python main.py …` line that reopens the window on these settings, to share."""
        try:
            line = command_line(self.controls.settings())
        except ValueError as error:
            self.show_error(f"These settings cannot run: {error}.")
            return
        QApplication.clipboard().setText(line)
        self.status.showMessage(f"Copied: {line}", 10_000)

    def set_look(self, look: Look):
        """Theme and text size for the whole window: controls, plots, listings alike."""
        self.look = look
        self.apply_shown_look()

    def apply_shown_look(self):
        """The window's look (larger while presenting) on every view."""
        look = presentation.shown_look(self)
        apply_to_application(look)
        for bar in self.findChildren(MessageBar):
            bar.restyle(look.dark)
        for view in (self.plot, self.fit, self.landscape, self.digits_view, self.step_view, self.sweeps, self.listings):
            view.apply_look(look)
        dark = self.actions["Dark Theme"]
        dark.blockSignals(True)  # showing the theme is not choosing it again
        dark.setChecked(self.look.dark)
        dark.blockSignals(False)

    def zoom(self, direction: int):
        """Text one step bigger (+1), smaller (-1) or back to normal (0); the controls column
        takes the controls' new width once they are laid out again."""
        self.set_look(Look(zoomed(self.look.zoom, direction), self.look.theme))
        if not self.presenting:
            QTimer.singleShot(0, self, lambda: layout.fit_controls(self))

    def reset_everything(self):
        """Forget what was remembered: default look, size, run and display settings, then re-run."""
        remembered.forget()
        self.set_look(Look())
        if self.isFullScreen():
            self.showNormal()
        layout.fit_to_screen(self)
        self.controls.set_settings(Settings())

    def toggle_presentation(self):
        """Presentation mode on or off (F5; Esc also leaves it)."""
        if self.presenting:
            presentation.leave(self)
        else:
            presentation.enter(self)

    def stop_or_leave(self):
        """Esc: leave presentation if presenting, else stop the run."""
        if self.presenting:
            presentation.leave(self)
        else:
            self.stop()

    def keyPressEvent(self, event):
        """A bare key (R, Space, S, Esc, P) no focused control took: its command."""
        call = BARE_KEYS.get(event.key()) if event.modifiers() == Qt.NoModifier else None
        if call is None:
            super().keyPressEvent(event)
        else:
            call(self)

    def closeEvent(self, event):
        if self.presenting:
            presentation.leave(self)  # what is remembered is the window as it is used every day
        try:
            if self._remember:
                remembered.save(self)
        finally:
            self.hide()  # at once: the wait below is for a compile in flight, if any
            self.shutdown()
        super().closeEvent(event)

    def shutdown(self):
        """Stop the run, the sweep and the thread; waits for the thread (see RunController)."""
        self.runs.shutdown()
