"""The lesson banner: the lesson's title, the step's title and caption, and the arrows."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.gui.style import BANNER_INFO, message_label


class LessonBar(QWidget):
    """Hidden until a lesson is open. `previous` and `next` ask the window to move."""

    previous = Signal()
    next = Signal()
    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, objectName="lessonBar")
        self.heading = message_label("lessonHeading")
        self.caption = message_label("lessonCaption")
        self.back = QPushButton("◀ Previous", toolTip="The lesson's previous step (Page Up).")
        self.forward = QPushButton("Next ▶", toolTip="The lesson's next step (Page Down).")
        self.close_button = QPushButton("Close lesson", toolTip="Leave the lesson; the current settings stay.")
        self.back.clicked.connect(self.previous)
        self.forward.clicked.connect(self.next)
        self.close_button.clicked.connect(self.closed)
        text = QVBoxLayout()
        text.addWidget(self.heading)
        text.addWidget(self.caption)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        for button in (self.back, self.forward, self.close_button):
            layout.addWidget(button)
        self.setStyleSheet(
            f"QLabel#lessonCaption, QLabel#lessonHeading {{ {BANNER_INFO} }} QLabel#lessonHeading {{ font-weight: bold; }}"
        )
        self.hide()

    def show_step(self, lesson, index: int):
        step = lesson.steps[index]
        self.heading.setText(f"{lesson.title} — step {index + 1} of {len(lesson.steps)}: {step.title}")
        self.caption.setText(step.caption)
        self.back.setEnabled(index > 0)
        self.forward.setEnabled(index < len(lesson.steps) - 1)
        self.show()
