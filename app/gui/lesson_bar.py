"""The lesson banner: the lesson's title, the step's title and caption, and the arrows."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.gui.message_bar import MessageBar


class LessonBar(QWidget):
    """The model's lesson, hidden until one is open. `previous`, `next` and `closed` ask the
    window to move."""

    previous = Signal()
    next = Signal()
    closed = Signal()

    def __init__(self, model, parent=None):
        super().__init__(parent, objectName="lessonBar")
        self.heading = MessageBar("lessonHeading", "info", "font-weight: bold;", lines=2, details=False)
        self.caption = MessageBar("lessonCaption", "info", lines=3)
        self.back = QPushButton("◀ Back", toolTip="The lesson's previous step (Page Up).")
        self.forward = QPushButton("Next ▶", toolTip="The lesson's next step (Page Down).")
        self.close_button = QPushButton("Close", toolTip="Leave the lesson; the current settings stay.")
        self.back.clicked.connect(self.previous)
        self.forward.clicked.connect(self.next)
        self.close_button.clicked.connect(self.closed)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.heading)
        text.addWidget(self.caption)
        buttons = QGridLayout()  # two rows beside the text: it keeps the width it needs
        buttons.setSpacing(2)
        buttons.addWidget(self.back, 0, 0)
        buttons.addWidget(self.forward, 0, 1)
        buttons.addWidget(self.close_button, 1, 0, 1, 2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        layout.addLayout(buttons)
        self.hide()
        model.events.lesson.connect(self._on_model_lesson)

    def _on_model_lesson(self, lesson, index: int):
        if lesson is None:
            self.hide()
        else:
            self.show_step(lesson, index)

    def show_step(self, lesson, index: int):
        step = lesson.steps[index]
        self.heading.setText(f"{lesson.title} — step {index + 1} of {len(lesson.steps)}: {step.title}")
        self.caption.setText(step.caption)
        self.back.setEnabled(index > 0)
        self.forward.setEnabled(index < len(lesson.steps) - 1)
        self.show()
