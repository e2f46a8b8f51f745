"""The app model: every change goes through it and emits one event; what the window changes by
itself is said and undone; pins are kept once per settings."""

import numpy as np
import pytest

from app.model.adjustments import adjust
from app.model.app_model import AppModel, Notice
from app.model.config import RunConfig
from app.model.pins import MAX_PINS
from app.model.run_record import RunRecord
from app.model.settings import Settings
from app.training import runner


class Heard:
    """Every event of a model, in order."""

    def __init__(self, model):
        self.events = []
        for name in model.events.signals:
            getattr(model.events, name).connect(lambda *args, n=name: self.events.append((n, *args)))

    def names(self):
        return [e[0] for e in self.events]


def test_an_edit_emits_one_settings_event_with_the_settings_before():
    model = AppModel()
    heard = Heard(model)
    model.edit(lr=0.3, optimizer="momentum")
    ((name, new, old),) = heard.events
    assert name == "settings" and new.run == RunConfig(lr=0.3, optimizer="momentum") and old == Settings()
    model.edit(lr=0.3)  # no change: no event
    assert len(heard.events) == 1


def test_an_edit_out_of_range_raises_and_changes_nothing():
    model = AppModel()
    with pytest.raises(ValueError, match="outside the window's range"):
        model.edit(lr=50.0)
    assert model.settings == Settings()


def test_settings_that_cannot_run_are_held_and_said_why():
    model = AppModel()
    model.edit(pitfall="missing-wrt")
    model.edit(paradigm="linen")
    assert model.settings.run.pitfall == "missing-wrt" and model.settings.run.paradigm == "linen"
    assert model.problem == "pitfall missing-wrt breaks the nnx step: run nnx or both, not linen"


def test_choosing_the_clip_pitfall_turns_clipping_on_and_leaving_it_turns_it_off_again():
    model = AppModel(Settings(RunConfig(ema_decay=0.99)))
    heard = Heard(model)
    model.edit(pitfall="clip-update-misuse")
    run = model.settings.run
    assert run.clip_norm == 1.0 and run.ema_decay is None and run.problem is None
    said = heard.events[-1]
    assert said[0] == "adjusted" and "Clipping is on with this pitfall" in said[1] and "EMA is off" in said[1]
    model.edit(pitfall=None)
    assert model.settings.run == RunConfig(ema_decay=0.99)  # as before the pitfall
    said = "Back as before pitfall clip-update-misuse: parameter EMA on (0.99), clipping off."
    assert heard.events[-1] == ("adjusted", said)


def test_a_setting_changed_by_hand_since_is_not_undone():
    model = AppModel()
    model.edit(pitfall="optimizer-in-loop")
    assert model.settings.run.optimizer == "momentum"
    model.edit(optimizer="adam")  # the user's own choice
    model.edit(pitfall=None)
    assert model.settings.run.optimizer == "adam"


def test_a_choice_the_user_made_stands_when_a_pitfall_is_chosen():
    model = AppModel(Settings(RunConfig(optimizer="adam", clip_norm=2.0)))
    model.edit(pitfall="optimizer-in-loop")
    assert model.settings.run.optimizer == "adam"
    model.edit(pitfall="clip-update-misuse")
    assert model.settings.run.clip_norm == 2.0


def test_the_digits_task_puts_a_pitfall_aside_and_the_line_fit_brings_it_back():
    model = AppModel()
    model.edit(pitfall="clip-update-misuse")
    model.edit(task="digits")
    assert model.settings.run.pitfall is None and model.settings.run.clip_norm is None and model.problem is None
    model.edit(task="line")
    assert model.settings.run.pitfall == "clip-update-misuse" and model.settings.run.clip_norm == 1.0


def test_the_forgotten_eval_mode_takes_the_line_fit_to_digits_and_leaving_it_comes_back():
    model, said = AppModel(), []
    model.events.adjusted.connect(said.append)
    model.edit(pitfall="forgotten-eval")
    assert "Switched to the digits task: pitfall forgotten-eval is in its code." in said[-1]
    run = model.settings.run
    assert (run.task, run.pitfall, run.dropout, model.problem) == ("digits", "forgotten-eval", 0.5, None)
    model.edit(pitfall=None)
    assert (model.settings.run.task, model.settings.run.dropout) == ("line", 0.1)  # as before the pitfall
    model.edit(pitfall="forgotten-eval")
    model.edit(task="line")  # the user leaves digits: the pitfall waits for it
    assert model.settings.run.pitfall is None and model.problem is None
    model.edit(task="digits")
    assert model.settings.run.pitfall == "forgotten-eval" and model.problem is None


def test_a_line_pitfall_on_digits_goes_back_to_the_line_fit():
    model = AppModel(Settings(RunConfig(task="digits", pitfall="forgotten-eval")))
    said = []
    model.events.adjusted.connect(said.append)
    model.edit(pitfall="forgotten-rebind")
    assert (model.settings.run.task, model.problem) == ("line", None)
    assert "Switched to the line fit task: pitfall forgotten-rebind is in its code." in said[-1]
    model.edit(pitfall=None)
    assert model.settings.run.task == "digits"


def test_settings_set_whole_are_shown_as_they_are():
    model = AppModel()
    model.edit(pitfall="clip-update-misuse")
    lesson = Settings(RunConfig(pitfall="clip-update-misuse", clip_norm=0.1))
    model.set_settings(lesson)
    assert model.settings == lesson and model.adjustments == ()
    model.edit(pitfall=None)
    assert model.settings.run.clip_norm == 0.1  # nothing to undo: a lesson set it


def test_adjust_is_a_function_of_the_settings_alone():
    old = Settings()
    new, standing, said = adjust(old, old.with_changes(pitfall="forgotten-rebind"), ())
    assert new == old.with_changes(pitfall="forgotten-rebind") and standing == () and said == ""


def _record(config=None, steps=50):
    config = config or RunConfig(steps=steps)
    return runner.run(config)


def test_a_run_its_chunks_and_its_status_are_events():
    model = AppModel()
    heard = Heard(model)
    record = RunRecord(RunConfig(steps=20))
    model.start_run(record)
    for chunk in runner.stream(RunConfig(steps=20), max_chunk_steps=8):
        model.add_chunk(chunk)
    model.set_status("finished")
    assert heard.names() == ["run", "status", "chunk", "chunk", "chunk", "status"]
    assert model.record is record and record.steps_done("nnx") == 20 and model.status == "finished"
    with pytest.raises(ValueError, match="status must be one of"):
        model.set_status("sleeping")


def test_a_new_run_clears_the_banner_and_the_inspection():
    model = AppModel()
    model.say("warning", "Diverged")
    model.set_inspection(object())
    model.start_run(RunRecord(RunConfig()))
    assert model.notice is None and model.inspection is None


def test_pinning_the_same_settings_twice_keeps_one_pin():
    model = AppModel()
    model.start_run(_record())
    assert model.pin() and not model.pin()
    assert len(model.pins) == 1
    np.testing.assert_array_equal(model.pins[0].loss, model.record.curve("nnx")[1])
    assert model.pins[0].path is not None and len(model.pins[0].path[0]) == 51  # every step's weights, and now


def test_at_most_eight_pins_the_oldest_dropped():
    model = AppModel()
    for seed in range(MAX_PINS + 2):
        model.start_run(_record(RunConfig(steps=10, seed=seed)))
        assert model.pin()
    assert [p.config.seed for p in model.pins] == list(range(2, MAX_PINS + 2))
    model.clear_pins()
    assert model.pins == ()


def test_a_run_without_steps_pins_nothing():
    model = AppModel()
    model.start_run(RunRecord(RunConfig()))
    assert not model.pin() and model.pins == ()


def test_a_lesson_sets_its_steps_settings_whole_and_its_panel():
    from app.model.lessons import load_lesson

    model = AppModel()
    heard = Heard(model)
    lesson = load_lesson("07-why-the-edge-is-2-over-lambda-max")
    model.open_lesson(lesson)
    assert model.settings == lesson.steps[0].settings and model.lesson_step == 0
    assert ("panel", "landscape") in heard.events and ("lesson", lesson, 0) in heard.events
    assert not model.go_to_step(len(lesson.steps)) and model.lesson_step == 0
    model.close_lesson()
    assert model.lesson is None and heard.events[-1] == ("lesson", None, 0)


def test_a_notice_is_said_once():
    model = AppModel()
    heard = Heard(model)
    model.say("info", "Stopped")
    model.say("info", "Stopped")
    assert heard.events == [("notice", Notice("info", "Stopped"))]
