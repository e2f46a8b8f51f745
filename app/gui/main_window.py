"""The main window: it builds the app model, the views that draw it and the controllers that
change it, lays them out and connects them; it starts the training engine once on screen and
ends it on close.

Data flows one way: a control edits the model -> the run controller starts the run in the
training engine (a process of its own) -> chunks come back into the model's run record -> the
views redraw from the model's events. Commands (menus, keys) come from `actions.COMMANDS`.
"""

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

from app.gui import layout, remembered
from app.gui.actions import BARE_KEYS, build_commands
from app.gui.controls import Controls
from app.gui.exercise_controller import ExerciseController
from app.gui.exercise_view import ExerciseView
from app.gui.lesson_bar import LessonBar
from app.gui.lesson_controller import LessonController
from app.gui.listings_view import ListingsView
from app.gui.loss_plot import LossPlot
from app.gui.message_bar import MessageBar
from app.gui.notice_bars import NoticeBar, PitfallCaption
from app.gui.presentation import Presentation
from app.gui.run_controller import RunController
from app.gui.side_panels import SidePanels
from app.gui.status_bar import StatusBar
from app.gui.sweep_controller import STOPPED, SweepController
from app.gui.theme import Look, apply_to_application, zoomed
from app.model.app_model import AppModel
from app.model.exercises import ExerciseError, load_exercise

START_AT_THE_LATEST_MS = 1000
"""A window shown but not yet on screen (minimised, say) starts training after this anyway."""


class MainWindow(QMainWindow):
    """Train Step Lab's window. The training engine starts once the window is first on screen."""

    runFinished = Signal(int)  # run id: finished, and drawn into the model
    runStopped = Signal()  # the worker dropped its run; every chunk it sent is in the model
    sweepShown = Signal()  # a sweep finished (or failed)

    def __init__(self, parent=None, remember: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Train Step Lab")
        self.model = model = AppModel()
        self.look = Look()
        self._remember = remember
        self.controls = Controls(model)
        self.plot = LossPlot(model)
        self.side = SidePanels(model)
        self.listings = ListingsView(model)
        self.lesson_bar, self.banner, self.caption = LessonBar(model), NoticeBar(model), PitfallCaption(model)
        self.status = StatusBar(model)
        self.setStatusBar(self.status)
        above, below = (self.lesson_bar, self.caption), (self.banner,)
        self.frame = layout.assemble(self, self.controls, self.plot, self.side, self.listings, above, below)
        self.exercise_view = ExerciseView(model)
        self.exercise_view.hide()
        column = self.frame.splitters["right"].parentWidget().layout()  # in the plots' place, when open
        column.insertWidget(column.indexOf(self.frame.splitters["right"]) + 1, self.exercise_view, 1)
        self.side.plots = self.frame.splitters["plots"]
        self.runs = RunController(model, self)
        self.sweeps = SweepController(model, self.runs, self)
        self.lessons = LessonController(model, self)
        self.exercises = ExerciseController(model, self)
        self.presentation = Presentation(self)
        self._connect()
        self.actions, self.lessons_menu = build_commands(self)  # menus, shortcuts, and File ▸ Lessons
        self.actions["Controls"].setChecked(True)
        layout.fit_to_screen(self, self.frame)
        unreadable = remembered.restore(self) if remember else []
        if unreadable:
            said = f"Some remembered settings could not be read ({', '.join(unreadable)}): their defaults are used."
            self.status.showMessage(said, 20_000)

    def views_after_curves(self):
        """What the views beside the curves still have to show (`throttle.AfterCurves`)."""
        return (self.status.figures, self.side.model_views.state)

    def _connect(self):
        controls, runs = self.controls, self.runs
        controls.runClicked.connect(runs.rerun)
        controls.stopClicked.connect(self.stop)
        controls.pauseToggled.connect(runs.pause)
        controls.stepClicked.connect(self.single_step)
        controls.sweepClicked.connect(self.sweeps.start)
        controls.pinClicked.connect(self.pin)
        controls.clearPinsClicked.connect(self.model.clear_pins)
        self.plot.readout.connect(self.status.show_readout)
        # The views beside the curves after the curves' paint, not in it: queued, they wait
        # for its end.
        for after in self.views_after_curves():
            self.plot.painted.connect(after.show_now, Qt.QueuedConnection)
        self.side.step_view.lineChosen.connect(self.listings.select_line)
        self.side.lrPicked.connect(self.sweeps.pick)
        self.lesson_bar.previous.connect(self.lessons.previous_step)
        self.lesson_bar.next.connect(self.lessons.next_step)
        self.lesson_bar.closed.connect(self.lessons.close)
        self.exercise_view.runClicked.connect(self.exercises.run)
        self.exercise_view.checkClicked.connect(self.exercises.check)
        self.exercise_view.stopClicked.connect(self.exercises.stop)
        self.exercise_view.closeClicked.connect(self.close_exercise)
        self.model.events.exercise.connect(self._on_model_exercise)
        runs.finished.connect(self.runFinished)
        runs.stopped.connect(self.runStopped)
        self.sweeps.shown.connect(self.sweepShown)

    @property
    def record(self):
        return self.model.record

    @property
    def run_id(self) -> int:
        return self.runs.run_id

    @property
    def finished_run(self) -> int:
        return self.runs.finished_run

    # Start-up and close.
    def showEvent(self, event):
        super().showEvent(event)
        if not self.runs.running:
            self.windowHandle().installEventFilter(self)  # training starts once the window is on screen
            QTimer.singleShot(START_AT_THE_LATEST_MS, self, self.runs.start_thread)

    def eventFilter(self, watched, event):
        if watched is self.windowHandle() and event.type() == QEvent.Expose and watched.isExposed():
            watched.removeEventFilter(self)
            # After this first paint: an engine in a thread would import JAX holding the GIL against it.
            QTimer.singleShot(0, self, self.runs.start_thread)
        return super().eventFilter(watched, event)

    def closeEvent(self, event):
        if self.presentation.active:
            self.presentation.leave()  # what is remembered is the window as it is used every day
        try:
            self.close_exercise()  # the student's code is saved
            if self._remember:
                remembered.save(self)
        finally:
            self.hide()  # at once: the wait below is for a compile in flight, if any
            self.shutdown()
        super().closeEvent(event)

    def shutdown(self):
        """Stop the run, the sweep and the thread (waits for it: see RunController), and end
        the exercise's sandbox processes."""
        self.exercises.shutdown()
        self.runs.shutdown()

    # Commands.
    def stop(self):
        self.sweeps.cancelled(STOPPED)
        self.runs.stop()

    def single_step(self):
        self.side.expect_step()  # the step it shows comes to the front (a pause only updates it)
        self.runs.step()

    def pin(self):
        """Keep the current run's loss curve as a ghost labelled by what differs from the others."""
        if not self.model.pin() and self.model.record is not None:
            self.status.showMessage("Not pinned: a pin of these settings is on the plot already.", 8000)

    def open_lesson(self, path) -> bool:
        """Open a lesson (a file, or a built-in lesson's name) at its first step."""
        return self.close_exercise() and self.lessons.open(path)

    def open_exercise(self, name) -> bool:
        """Open an exercise (a file, or a built-in exercise's name): the student's code in
        place of the plots and listings. False (the banner says why) if it cannot be read."""
        try:
            exercise = load_exercise(name)
        except ExerciseError as error:
            self.model.say("error", f"This exercise cannot be opened: {error}")
            return False
        self.lessons.close()
        self.model.open_exercise(exercise)
        return True

    def close_exercise(self) -> bool:
        """Save the student's code and go back to the plots and the listings; False (the
        exercise stays open, the banner says why) if the code cannot be saved."""
        if self.model.exercise is not None:
            if self.exercises.save(self.exercise_view.code(), then="The exercise stays open.") is None:
                return False
            self.model.open_exercise(None)
        return True

    def _on_model_exercise(self, exercise):
        self.frame.splitters["right"].setVisible(exercise is None)
        self.exercise_view.setVisible(exercise is not None)

    def save_step(self, path, title: str, caption: str):
        """Append the current settings to a lesson file as a step (the banner says why not)."""
        return self.lessons.save_step(path, title, caption)

    # The look.
    def set_look(self, look: Look):
        """Theme and text size for the whole window: controls, plots, listings alike."""
        self.look = look
        self.apply_shown_look()

    def apply_shown_look(self):
        """The window's look (larger while presenting) on every view."""
        look = self.presentation.look(self.look)
        apply_to_application(look)
        for bar in self.findChildren(MessageBar):
            bar.restyle(look.dark)
        for view in (self.plot, self.side, self.listings, self.exercise_view):
            view.apply_look(look)
        dark = self.actions["Dark Theme"]
        dark.blockSignals(True)  # showing the theme is not choosing it again
        dark.setChecked(self.look.dark)
        dark.blockSignals(False)

    def zoom(self, direction: int):
        """Text one step bigger (+1), smaller (-1) or back to normal (0); the controls column
        takes the controls' new width once they are laid out again."""
        self.set_look(Look(zoomed(self.look.zoom, direction), self.look.theme))
        if not self.presentation.active:
            QTimer.singleShot(0, self, lambda: layout.fit_controls(self.frame))

    def reset_everything(self):
        """Forget what was remembered: default look, size, run and display settings, then re-run."""
        remembered.forget()
        self.set_look(Look())
        if self.isFullScreen():
            self.showNormal()
        layout.fit_to_screen(self, self.frame)
        self.controls.reset_display()

    def stop_or_leave(self):
        """Esc: leave presentation if presenting, else stop the run."""
        if self.presentation.active:
            self.presentation.leave()
        else:
            self.stop()

    def keyPressEvent(self, event):
        """A bare key (R, Space, S, Esc, P) no focused control took: its command."""
        call = BARE_KEYS.get(event.key()) if event.modifiers() == Qt.NoModifier else None
        if call is None:
            super().keyPressEvent(event)
        else:
            call(self)
