"""The lesson controller: which lesson is open and at which step; it sends each step's
settings to the controls and shows the step in the lesson bar."""

from PySide6.QtCore import QObject, Signal

from app.model.lessons import LessonError, LessonStep, append_step, load_lesson


class LessonController(QObject):
    settingsChosen = Signal(object)  # the Settings of the step moved to
    panelChosen = Signal(str)  # the view beside the plot the step is about (see lessons.PANELS)
    failed = Signal(str)  # a lesson could not be opened or saved, and why

    def __init__(self, bar, parent=None):
        super().__init__(parent)
        self.bar = bar
        self.lesson = None
        self.index = 0
        bar.previous.connect(self.previous_step)
        bar.next.connect(self.next_step)
        bar.closed.connect(self.close)

    def open(self, path) -> bool:
        """Open a lesson (a file, or a built-in lesson's name) at its first step; a bad file
        changes nothing and says why."""
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            self.failed.emit(f"The lesson could not be opened. {error}")
            return False
        self.lesson = lesson
        self.go_to(0)
        return True

    def go_to(self, index: int):
        """Show a step and send its settings (nothing happens outside the lesson)."""
        if self.lesson is None or not 0 <= index < len(self.lesson.steps):
            return
        self.index = index
        self.bar.show_step(self.lesson, index)
        step = self.lesson.steps[index]
        self.settingsChosen.emit(step.settings)
        if step.panel:
            self.panelChosen.emit(step.panel)

    def next_step(self):
        self.go_to(self.index + 1)

    def previous_step(self):
        self.go_to(self.index - 1)

    def close(self):
        self.lesson = None
        self.bar.hide()

    def save_step(self, path, title: str, caption: str, settings):
        """Append `settings` to a lesson file as a step; a failure is said, nothing is lost."""
        try:
            return append_step(path, LessonStep(title, caption, settings))
        except (LessonError, OSError) as error:
            self.failed.emit(f"The step was not saved. {error}")
            return None
