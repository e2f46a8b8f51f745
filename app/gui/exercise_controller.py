"""Runs and checks a student's step in the sandbox (see app.model.sandbox), from the window.

A child process is started ahead for the exercise open, so it has JAX loaded and the
reference run when the student presses Run or Check; it takes that one request and ends, and
the next one is started at once. QProcess reads the child's answer as it comes, on the GUI
thread, without blocking it: each message goes into the model's ExerciseState, which the
exercise view draws. A time limit, Stop and Close end the child at once.
"""

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer

from app.model import sandbox
from app.model.app_model import ExerciseState
from app.model.exercises import work_file
from app.model.files import SaveError, write_bytes


class _Child(QObject):
    """One sandbox process for an exercise, and its scratch folder."""

    def __init__(self, exercise, parent):
        super().__init__(parent)
        self.folder = sandbox.scratch()
        self.process = QProcess(self)
        self.process.setWorkingDirectory(self.folder.name)
        environment = QProcessEnvironment()
        for name, value in sandbox.environment().items():
            environment.insert(name, value)
        self.process.setProcessEnvironment(environment)
        self.pid = 0  # its process group's too (it makes one at its start), once started
        self.process.started.connect(self._on_started)
        program, *arguments = sandbox.command(exercise.path)
        self.process.start(program, arguments)
        self.buffer = b""

    def _on_started(self):
        self.pid = self.process.processId()

    def send(self, code: Path, mode: str, settings: dict) -> None:
        copy = sandbox.code_copy(self.folder.name, code)
        self.process.write(sandbox.request(copy, mode, settings))
        self.process.closeWriteChannel()

    def end(self) -> None:
        """Kill the process and anything it started (its process group), and remove its folder."""
        self.process.blockSignals(True)
        if self.pid:
            sandbox.end_group(self.pid)
        if self.process.state() != QProcess.NotRunning:
            self.process.kill()
            self.process.waitForFinished(2000)
        self.folder.cleanup()
        self.deleteLater()


class ExerciseController(QObject):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.spare = None  # the child started ahead for the next request
        self.child = None  # the child answering the current request
        self.done = False  # the current child said it finished
        self.limit = 0.0
        self.timed_out = False
        self.deadline = QTimer(self, singleShot=True)
        self.deadline.timeout.connect(self._on_deadline)
        model.events.exercise.connect(self._on_model_exercise)

    def _on_model_exercise(self, exercise):
        self.shutdown()
        if exercise is not None:
            self.spare = _Child(exercise, self)

    def save(self, text: str, then: str = "Nothing was run.") -> Path | None:
        """Write the student's code to their file; None (the banner says why, and `then`) if it
        cannot be."""
        try:
            path = work_file(self.model.exercise)
            write_bytes(path, text.encode("utf-8"))
        except (SaveError, OSError, UnicodeEncodeError) as error:
            self.model.say("error", f"Your code could not be saved: {error}. {then}")
            return None
        return path

    def run(self, text: str) -> None:
        """The student's curve beside the reference's, on the window's settings."""
        run = self.model.settings.run
        settings = {
            "seed": run.seed,
            "lr": run.lr,
            "steps": run.steps,
            "optimizer": run.optimizer,
            "clip_norm": run.clip_norm,
            "ema_decay": run.ema_decay,
        }
        self._ask(text, "run", settings, sandbox.RUN_SECONDS)

    def check(self, text: str) -> None:
        """Every hidden case, graded."""
        self._ask(text, "check", {}, sandbox.CHECK_SECONDS)

    def _ask(self, text: str, mode: str, settings: dict, limit: float) -> None:
        if self.model.exercise is None:
            return
        path = self.save(text)
        if path is None:
            return
        self.stop(quietly=True)
        if self.spare is not None and self.spare.process.state() == QProcess.NotRunning:
            self.spare.end()  # it died waiting (killed, or it could not start): a fresh one
            self.spare = None
        self.child, self.spare = self.spare or _Child(self.model.exercise, self), None
        self.done, self.timed_out, self.limit = False, False, limit
        process = self.child.process
        process.readyReadStandardOutput.connect(self._on_output)
        process.readyReadStandardError.connect(self._on_printed)
        process.finished.connect(self._on_finished)
        self.child.send(path, mode, settings)
        self.model.set_exercise_state(ExerciseState(status={"run": "running", "check": "checking"}[mode], mode=mode))
        self.deadline.start(round(limit * 1000))
        self.spare = _Child(self.model.exercise, self)  # ready for the next request

    def stop(self, quietly: bool = False) -> None:
        """End the current request's child at once."""
        self.deadline.stop()
        if self.child is not None:
            self.child.end()
            self.child = None
            if not quietly:
                state = self.model.exercise_state
                self.model.set_exercise_state(replace(state, status="idle", problem="was stopped"))

    def shutdown(self) -> None:
        """End every child (the exercise closes, or the window)."""
        self.stop(quietly=True)
        if self.spare is not None:
            self.spare.end()
            self.spare = None

    def _on_output(self):
        child = self.child
        if child is None:
            return
        child.buffer += bytes(child.process.readAllStandardOutput())
        *lines, child.buffer = child.buffer.split(b"\n")
        if len(child.buffer) > sandbox.MOST_MESSAGE_BYTES:
            lines.append(child.buffer)  # a line too long: read_message refuses it
        state = self.model.exercise_state
        for line in filter(bytes.strip, lines):
            try:
                message = sandbox.checked(sandbox.read_message(line), list(state.results))
            except sandbox.ProtocolError as error:
                self._finish(replace(state, problem=f"answered with {error} (counted as failed)"))
                return
            state = _with(state, message)
            self.done = self.done or isinstance(message, sandbox.Done)
        self.model.set_exercise_state(state)

    def _on_printed(self):
        if self.child is not None:
            printed = bytes(self.child.process.readAllStandardError())[-4000:].decode("utf-8", "replace")
            state = self.model.exercise_state
            self.model.set_exercise_state(replace(state, output=(state.output + printed)[-4000:]))

    def _on_finished(self, code, status):
        if self.child is None:
            return
        self._on_output()
        if self.child is None:
            return  # its answer broke the protocol: said already
        self._on_printed()
        crashed = status == QProcess.CrashExit
        problem = sandbox.ended(-code if crashed and code else code, self.timed_out, self.limit, self.done)
        if crashed and not code and not self.timed_out:
            problem = "crashed: the process died in native code"
        self._finish(replace(self.model.exercise_state, problem=problem))

    def _on_deadline(self):
        """The time limit: the request ends here, whether or not its process still answers."""
        self.timed_out = True
        if self.child is not None:
            self._on_output()
        if self.child is not None:
            problem = sandbox.ended(None, True, self.limit, self.done)
            self._finish(replace(self.model.exercise_state, problem=problem))

    def _finish(self, state):
        self.deadline.stop()
        if self.child is not None:
            self.child.end()
            self.child = None
        self.model.set_exercise_state(replace(state, status="idle"))


def _with(state, message):
    """The state with one message of the child's added."""
    if isinstance(message, sandbox.Curve):
        return replace(
            state,
            steps=state.steps + message.steps,
            yours=state.yours + message.yours,
            reference=state.reference + message.reference,
        )
    if isinstance(message, sandbox.CaseResult):
        return replace(state, results=(*state.results, message))
    if isinstance(message, sandbox.Failure):
        return replace(state, failure=message)
    return state
