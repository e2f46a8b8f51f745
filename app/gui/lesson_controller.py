"""The lesson controller: opens lesson files into the model, moves between their steps, and
saves the settings shown as a new step; a file that cannot be read or written is said in the
banner and changes nothing."""

from PySide6.QtCore import QObject

from app.model.lessons import LessonError, LessonStep, append_step, built_in_lessons, lesson_title, load_lesson


class LessonController(QObject):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self._offered = None  # the next lesson offered at the last step, opened by a second Page Down

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
        """The next step; at the last one, say so and offer the next built-in lesson, which a
        second Page Down opens."""
        model = self.model
        if model.lesson is None or model.go_to_step(model.lesson_step + 1):
            self._offered = None
            return
        if self._offered is not None:
            offered, self._offered = self._offered, None
            self.open(offered)
            return
        self._offered = _after(model.lesson.path)
        if self._offered is None:
            model.say("info", "This is the lesson's last step.")
        else:
            model.say(
                "info",
                f"This is the lesson's last step. Page Down again opens the next lesson: "
                f"{lesson_title(self._offered)}.",
            )

    def previous_step(self):
        self._offered = None
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


def _after(path):
    """The built-in lesson after the one at `path`, or None (the last, or not built in)."""
    lessons = built_in_lessons()
    if path not in lessons or path == lessons[-1]:
        return None
    return lessons[lessons.index(path) + 1]
