"""The lesson controller: opens lesson files into the model, moves between their steps, and
saves the settings shown as a new step; a file that cannot be read or written is said in the
banner and changes nothing."""

from PySide6.QtCore import QObject

from app.model.lessons import LessonError, LessonStep, append_step, load_lesson


class LessonController(QObject):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model

    def open(self, path) -> bool:
        """Open a lesson (a file, or a built-in lesson's name) at its first step."""
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            self.model.say("error", f"The lesson could not be opened. {error}")
            return False
        self.model.open_lesson(lesson)
        return True

    def next_step(self):
        self.model.go_to_step(self.model.lesson_step + 1)

    def previous_step(self):
        self.model.go_to_step(self.model.lesson_step - 1)

    def close(self):
        self.model.close_lesson()

    def save_step(self, path, title: str, caption: str):
        """Append the settings shown to a lesson file as a step; returns the lesson, or None
        (the banner says why)."""
        problem = self.model.problem
        if problem:
            self.model.say("error", f"The step was not saved: these settings cannot run: {problem}.")
            return None
        try:
            return append_step(path, LessonStep(title, caption, self.model.settings))
        except LessonError as error:
            self.model.say("error", f"The step was not saved. {error}")
            return None
