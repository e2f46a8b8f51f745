"""Exercise mode: the student's file in an editable code pane, Run and Check, the student's
curve beside the reference's, and the hidden cases' verdicts with the mistake named.

It stands in the place of the plots and the listings while an exercise is open (the controls
stay: Run uses their settings). It draws the model's ExerciseState and asks the controller to
run or check; it holds no result of its own.
"""

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.gui.axes import readable_axes
from app.gui.code_view import CodeEditor, PygmentsHighlighter
from app.gui.curve_styles import curve_pen
from app.gui.message_bar import MessageBar
from app.gui.theme import Look, style_legend, style_plot_item
from app.model import sandbox
from app.model.exercises import work_file

BUSY = {"running": "Running your step beside the reference…", "checking": "Checking the hidden cases…"}


class ExerciseView(QWidget):
    runClicked = Signal(str)  # the code in the editor
    checkClicked = Signal(str)
    stopClicked = Signal()
    closeClicked = Signal()

    def __init__(self, model, parent=None):
        super().__init__(parent, objectName="exerciseView")
        self.model = model
        self.look = Look()
        self.heading = MessageBar("exerciseHeading", "info", lines=4)
        self.editor = CodeEditor(objectName="exerciseEditor")
        self.editor.setReadOnly(False)
        self.editor.setLineWrapMode(QPlainTextEdit.NoWrap)  # code as typed: a wrapped line reads as two
        self.editor.setTabChangesFocus(False)
        self.highlighter = PygmentsHighlighter(self.editor.document(), self.look.code_style)
        self.run_button = QPushButton("Run", toolTip="Run your step beside the reference on the current settings")
        self.check_button = QPushButton("Check", toolTip="Grade your step on the exercise's hidden cases")
        self.stop_button = QPushButton("Stop", toolTip="End the run or the check at once")
        self.close_button = QPushButton("Close exercise", toolTip="Back to the plots and the listings")
        self.status = QLabel(objectName="exerciseStatus", wordWrap=True)
        self._marked = None  # the line marked in the editor
        self.plot = pg.PlotWidget(axisItems=readable_axes())
        self.plot.setMinimumHeight(120)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(-10, 10))  # before the curves: they enter it
        self.reference_curve = self.plot.plot(name="the app's step")
        self.yours_curve = self.plot.plot(name="yours")
        self.verdicts = QPlainTextEdit(objectName="exerciseVerdicts", readOnly=True)
        self.verdicts.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.check_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.status)
        side_layout.addWidget(self.plot, 2)
        side_layout.addWidget(self.verdicts, 3)
        self.split = split = QSplitter(Qt.Horizontal)
        split.addWidget(self.editor)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self._shared = False  # the split's first sizes are set when it is first shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        self.run_button.clicked.connect(self._on_run)
        self.check_button.clicked.connect(self._on_check)
        self.stop_button.clicked.connect(self.stopClicked)
        self.close_button.clicked.connect(self.closeClicked)
        model.events.exercise.connect(self._on_model_exercise)
        model.events.exercise_state.connect(self._on_model_state)
        self.apply_look(self.look)
        self._on_model_state(model.exercise_state)

    def code(self) -> str:
        return self.editor.toPlainText()

    def showEvent(self, event):
        super().showEvent(event)
        if not self._shared:  # the code gets the larger part: its lines are long
            self._shared = True
            total = sum(self.split.sizes()) or self.width()
            self.split.setSizes([total * 11 // 20, total - total * 11 // 20])

    def _on_run(self):
        self.runClicked.emit(self.code())

    def _on_check(self):
        self.checkClicked.emit(self.code())

    def _on_model_exercise(self, exercise):
        if exercise is None:
            return
        self.heading.setText(f"{exercise.title}\n{exercise.task}")
        self._marked = None
        try:
            path = work_file(exercise)
            text = path.read_text(encoding="utf-8")
            self.editor.setToolTip(f"Your copy of the exercise, saved to {path} at every Run and Check")
        except (OSError, UnicodeDecodeError) as error:
            text = exercise.starter.read_text(encoding="utf-8")
            self.editor.setToolTip(f"The starter: your copy could not be read ({error})")
        self.editor.setPlainText(text)

    def _on_model_state(self, state):
        busy = state.status in BUSY
        self.run_button.setEnabled(not busy)
        self.check_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.status.setText(BUSY.get(state.status) or _said_after(state, self.model.exercise))
        self.plot.setVisible(state.mode != "check")  # a check's verdicts take the room
        self.reference_curve.setData(list(state.steps), _finite(state.reference))
        self.yours_curve.setData(list(state.steps), _finite(state.yours))
        exercise = self.model.exercise
        lines = []
        if exercise is not None and (state.results or state.failure or state.problem):
            if state.mode == "check":
                lines = sandbox.verdict_lines(exercise, state.results, state.failure, state.problem)
            else:
                lines = sandbox.failure_lines(exercise, state.failure, state.problem, "the run")
        if state.output.strip():
            lines += ["", "Your code printed:", state.output.rstrip()]
        self.verdicts.setPlainText("\n".join(lines))
        self.verdicts.setVisible(bool(lines) or state.mode != "run")  # a clean run: the plot takes the room
        lines_hit = [state.failure.line] if state.failure is not None else []
        lines_hit += [r.line for r in state.results if r.line is not None]
        self._mark_line(next((line for line in lines_hit if line is not None), None))

    def _mark_line(self, line: int | None):
        """The line of the student's file an error came through, marked, and brought into view
        when it is new (a print arriving later does not scroll the editor back)."""
        if line == self._marked:
            return
        self._marked = line
        selections = []
        if line is not None and 1 <= line <= self.editor.blockCount():
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(QColor(self.look.wrong).lighter(170 if not self.look.dark else 60))
            selection.format.setProperty(QTextFormat.FullWidthSelection, True)
            selection.cursor = QTextCursor(self.editor.document().findBlockByNumber(line - 1))
            selections.append(selection)
            self.editor.scroll_to_line(line - 1)
        self.editor.setExtraSelections(selections)

    def apply_look(self, look: Look):
        self.look = look
        self.highlighter.set_style(look.code_style)
        self.plot.setBackground(look.background)
        style_plot_item(self.plot.getPlotItem(), look, {"left": "loss", "bottom": "step"}, grid=True)
        style_legend(self.legend, look)
        self.reference_curve.setPen(curve_pen("linen", look.zoom))
        self.yours_curve.setPen(curve_pen("nnx", look.zoom))
        self.editor.gutter_colours = ("#2A2A2A", "#8A8A8A") if look.dark else ("#EFEFEF", "#777777")


def _finite(values) -> list:
    return [float("nan") if v is None else v for v in values]


def _said_after(state, exercise) -> str:
    """The status line once nothing runs: what the last request came to."""
    if not state.mode or exercise is None:
        return "Run draws your step's loss beside the reference's; Check grades it on hidden cases."
    if state.mode == "check" and not state.problem and not state.failure:
        passed = len(sandbox.passed_cases(exercise, state.results))
        return f"Checked: {passed} of {len(exercise.cases)} cases passed."
    if state.failure is not None or state.problem:
        return "Your step did not finish: see below."
    return f"Ran {len(state.steps)} points of your curve beside the reference's."
