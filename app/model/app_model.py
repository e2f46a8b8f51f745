"""The app's state in one place, free of Qt and JAX.

What the controls set (`settings`, and what the window changed by itself, `adjustments`), the
pins, the run on screen (its `record` and `status`), the last step inspected, the lesson open
and its step, the sweep, what the banner says, and the exercise open with what its sandbox
said last. Every change goes through a method here and
emits one event; views subscribe and draw, controllers call the methods. Nothing else holds
the truth (the shape of napari's `components/` and ndv's `models/`, with psygnal's events).
"""

import functools
import threading
from dataclasses import dataclass

from psygnal import Signal, SignalGroup

from app.model import adjustments, pins
from app.model.settings import Settings

STATUSES = ("idle", "compiling", "running", "paused", "finished", "stopped", "failed")
"""The run's state: waiting for JAX, compiling its step, taking steps, held, all done (or
stopped by its target), dropped by Stop, or failed (see `Notice`)."""


@dataclass(frozen=True)
class Notice:
    """What the banner says: `kind` is "info", "warning" or "error"; `offer`, a setting the
    banner offers to turn on (a divergence offers "log_y": a linear axis shows it as a spike)."""

    kind: str
    text: str
    offer: str | None = None


@dataclass(frozen=True)
class SweepState:
    """The learning-rate sweep shown: its settings, the result so far (None before the first
    piece), the share done, and a note (why it stopped or failed; "" while it goes on)."""

    config: object  # RunConfig
    result: object = None  # sweep.Sweep
    done: float = 0.0
    note: str = ""
    running: bool = True


@dataclass(frozen=True)
class ExerciseState:
    """What the exercise's sandbox said last: its status, the curve so far (the student's and
    the reference's losses by step), the hidden cases' results, a failure of the student's
    code, why the sandbox ended early, and what the code printed."""

    status: str = "idle"  # or "running" (the student's curve) or "checking" (the hidden cases)
    mode: str = ""  # "run" or "check": what the last request was
    steps: tuple = ()
    yours: tuple = ()
    reference: tuple = ()
    results: tuple = ()  # sandbox.CaseResult, in the order they came
    failure: object = None  # sandbox.Failure
    problem: str | None = None
    output: str = ""


class AppEvents(SignalGroup):
    settings = Signal(object, object)  # the Settings now, and before
    adjusted = Signal(str)  # what the window changed by itself with the last edit, and why
    pins = Signal(tuple)  # the pins now
    run = Signal(object)  # a new RunRecord: the run shown from now on
    chunk = Signal(object)  # a runner.Chunk, already in the record
    errors = Signal(dict)  # {paradigm: error} a pitfall that fails at once raised, in the record
    status = Signal(str)  # the run's state (see STATUSES)
    inspection = Signal(object)  # the step inspected last (step_inspector.Inspection), or None
    lesson = Signal(object, int)  # the lesson open (or None), and the index of its step
    panel = Signal(str)  # what is asked to stand beside the plot (see `show_panel`)
    sweep = Signal(object)  # the SweepState shown (or None)
    notice = Signal(object)  # the Notice the banner shows, or None
    backend = Signal(str)  # the JAX backend, once JAX is loaded
    exercise = Signal(object)  # the Exercise open, or None
    exercise_state = Signal(object)  # the ExerciseState now


def _main_thread(method):
    """Changes come from the main thread only: the views it tells draw there (a change from
    another thread would have them paint from it)."""

    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError(f"AppModel.{method.__name__} was called from {threading.current_thread().name}")
        return method(self, *args, **kwargs)

    return checked


class AppModel:
    def __init__(self, settings: Settings | None = None):
        self.events = AppEvents()
        self.settings = settings or Settings()
        self.adjustments: tuple[adjustments.Adjustment, ...] = ()
        self.pins: tuple[pins.Pin, ...] = ()
        self.record = None
        self.status = "idle"
        self.inspection = None
        self.lesson = None
        self.lesson_step = 0
        self.sweep: SweepState | None = None
        self.notice: Notice | None = None
        self.backend = ""
        self.exercise = None
        self.exercise_state = ExerciseState()

    # What the controls set.
    @property
    def problem(self) -> str | None:
        """Why the settings cannot run together (None: they can)."""
        return self.settings.run.problem

    @_main_thread
    def edit(self, **changes) -> None:
        """A user's change of some settings (run or display), with what the window changes by
        itself because of it (see `adjustments`); ValueError for a value out of range."""
        old = self.settings
        new, self.adjustments, said = adjustments.adjust(old, old.with_changes(**changes), self.adjustments)
        self._set(new)
        if said:
            self.events.adjusted.emit(said)

    @_main_thread
    def set_settings(self, settings: Settings) -> None:
        """Settings set whole (a lesson step, the command line, Reset): shown as they are."""
        self.adjustments = ()
        self._set(settings)

    def _set(self, settings: Settings) -> None:
        old, self.settings = self.settings, settings
        if settings != old:
            self.events.settings.emit(settings, old)

    # The pins.
    @_main_thread
    def pin(self) -> bool:
        """Pin the run shown; False if it has no step yet or its settings are pinned already."""
        pin = pins.pin_of(self.record) if self.record is not None else None
        kept = pins.with_pin(self.pins, pin) if pin is not None else self.pins
        if kept is self.pins:
            return False
        self.pins = kept
        self.events.pins.emit(kept)
        return True

    @_main_thread
    def clear_pins(self) -> None:
        if self.pins:
            self.pins = ()
            self.events.pins.emit(())

    # The run shown.
    @_main_thread
    def start_run(self, record) -> None:
        """`record` is the run shown from now on (empty until its first chunk)."""
        self.record, self.inspection = record, None
        self.events.run.emit(record)
        self.set_notice(None)
        self.set_status("running")

    @_main_thread
    def add_chunk(self, chunk) -> None:
        self.record.append(chunk)
        self.events.chunk.emit(chunk)

    @_main_thread
    def add_errors(self, errors: dict[str, str]) -> None:
        """What a pitfall that fails at once raised instead of running."""
        self.record.errors.update(errors)
        self.events.errors.emit(dict(errors))

    @_main_thread
    def set_status(self, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if status != self.status:
            self.status = status
            self.events.status.emit(status)

    @_main_thread
    def set_inspection(self, inspection) -> None:
        self.inspection = inspection
        self.events.inspection.emit(inspection)

    @_main_thread
    def set_backend(self, name: str) -> None:
        self.backend = name
        self.events.backend.emit(name)

    # The lesson.
    @_main_thread
    def open_lesson(self, lesson) -> None:
        """Open `lesson` at its first step."""
        self.lesson = lesson
        self.go_to_step(0)

    @_main_thread
    def go_to_step(self, index: int) -> bool:
        """Show the lesson's step `index` and set its settings; False outside the lesson."""
        if self.lesson is None or not 0 <= index < len(self.lesson.steps):
            return False
        self.lesson_step = index
        step = self.lesson.steps[index]
        self.events.lesson.emit(self.lesson, index)
        self.set_settings(step.settings)
        if step.panel:
            self.events.panel.emit(step.panel)
        return True

    @_main_thread
    def close_lesson(self) -> None:
        if self.lesson is not None:
            self.lesson = None
            self.events.lesson.emit(None, 0)

    @_main_thread
    def show_panel(self, name: str) -> None:
        """Ask for a view beside the plot to come to the front: "code", "model", "landscape"
        (the line fit's only), "step" or "sweep"."""
        if name == "landscape" and self.settings.run.task != "line":
            return
        self.events.panel.emit(name)

    # The sweep and the banner.
    @_main_thread
    def set_sweep(self, sweep: SweepState | None) -> None:
        self.sweep = sweep
        self.events.sweep.emit(sweep)

    @_main_thread
    def set_notice(self, notice: Notice | None) -> None:
        if notice != self.notice:
            self.notice = notice
            self.events.notice.emit(notice)

    @_main_thread
    def say(self, kind: str, text: str) -> None:
        self.set_notice(Notice(kind, text))

    # The exercise.
    @_main_thread
    def open_exercise(self, exercise) -> None:
        """Open `exercise` (None closes it): nothing run or checked yet."""
        self.exercise = exercise
        self.exercise_state = ExerciseState()
        self.events.exercise.emit(exercise)
        self.events.exercise_state.emit(self.exercise_state)

    @_main_thread
    def set_exercise_state(self, state: ExerciseState) -> None:
        if state != self.exercise_state:
            self.exercise_state = state
            self.events.exercise_state.emit(state)
