"""The controllers against the app model, with no window: the run controller with a stand-in
training thread, the sweep controller with a stand-in run controller (MagicMock of its spec)."""

from unittest.mock import MagicMock

import pytest
from PySide6.QtCore import QThread

from app.gui.lesson_controller import LessonController
from app.gui.run_controller import RunController
from app.gui.sweep_controller import NEW_RUN, SweepController
from app.model.app_model import AppModel, SweepState
from app.model.config import RunConfig
from app.model.lessons import load_lesson
from app.model.run_record import RunRecord
from app.model.settings import Settings
from app.training import runner


def never_started(worker) -> QThread:
    """Stands in for the training thread: the worker's requests wait in it, never run."""
    thread = QThread()
    worker.moveToThread(thread)
    return thread


@pytest.fixture
def runs(qapp):
    model = AppModel()
    controller = RunController(model)
    assert controller.start_thread(start=never_started)
    yield controller
    controller.shutdown()


def test_the_first_run_starts_with_the_thread(runs):
    request = runs.requests.run
    assert (request.run_id, request.config, request.rate, request.stop_at) == (1, RunConfig(), 0.0, None)
    assert runs.model.record.config == RunConfig() and runs.model.status == "running"


def test_an_edit_of_the_run_asks_for_a_new_run_and_a_display_one_does_not(runs):
    model = runs.model
    model.edit(lr=0.3)
    assert runs.requests.run.run_id == 2 and runs.requests.run.config == RunConfig(lr=0.3)
    model.edit(smoothing=5, log_y=True)
    assert runs.requests.run.run_id == 2


def test_animate_plays_the_run_from_its_start_and_a_new_rate_is_sent_to_it(runs):
    rates, targets = [], []
    runs._rate.connect(lambda run_id, rate: rates.append((run_id, rate)))
    runs._stop_at.connect(lambda run_id, target: targets.append((run_id, target)))
    runs.model.edit(pace="animate")
    assert runs.requests.run.run_id == 2 and runs.requests.run.rate == 60.0
    runs.model.edit(rate=200)
    runs.model.edit(stop_at=0.05)
    assert runs.requests.run.run_id == 2 and rates == [(2, 200.0)] and targets == [(2, 0.05)]


def test_settings_that_cannot_run_are_said_and_nothing_is_asked_for(runs):
    stops = []
    runs._stop.connect(stops.append)
    runs.model.edit(pitfall="missing-wrt")
    runs.model.edit(paradigm="linen")
    assert runs.requests.run is None and stops == [2]  # the run before stops; none replaces it
    assert runs.model.notice.kind == "error"
    assert runs.model.notice.text == (
        "These settings cannot run: pitfall missing-wrt breaks the nnx step: run nnx or both, not linen."
    )


def test_the_worker_s_chunks_of_the_run_shown_reach_the_model_and_older_ones_do_not(runs):
    config = RunConfig(steps=40, lr=5.0)
    runs.model.set_settings(Settings(config))
    chunks = list(runner.stream(config, max_chunk_steps=16))
    runs._on_worker_chunk(runs.run_id - 1, chunks[0])  # of a run replaced meanwhile
    assert runs.model.record.steps_done("nnx") == 0
    for chunk in chunks:
        runs._on_worker_chunk(runs.run_id, chunk)
    record = runs.model.record
    assert record.steps_done("nnx") == sum(len(c.metrics["nnx"]["loss"]) for c in chunks)
    assert record.diverged_at and runs.model.notice.kind == "warning"
    assert runs.model.notice.text.startswith("Diverged: the loss became inf/NaN (Linen and NNX at step ")


def test_a_reached_target_and_a_failure_are_said(runs):
    runs.model.set_settings(Settings(RunConfig(steps=500), stop_at=0.1))
    run = runner.Run(RunConfig(steps=500), stop_at=0.1)
    while not run.finished:
        runs._on_worker_chunk(runs.run_id, run.advance(64))
    runs._on_worker_finished(runs.run_id)
    steps = runs.model.record.reached
    assert runs.model.status == "finished" and set(steps) == {"linen", "nnx"} and steps["linen"] == steps["nnx"]
    assert runs.model.notice.text == f"Stopped: the loss reached 0.1 (Linen and NNX at step {steps['nnx']:,})."
    runs._on_worker_errored(runs.run_id, "RuntimeError: gone")
    assert runs.model.status == "failed" and "The run failed: RuntimeError: gone." in runs.model.notice.text


@pytest.fixture
def sweeps(qapp):
    model = AppModel()
    model.start_run(runner.run(RunConfig(steps=30)))
    runs = MagicMock(spec=RunController)
    runs.sweep.return_value = 1
    runs.cancel_sweep.return_value = True
    runs.run_id = runs.finished_run = 1
    return SweepController(model, runs), runs, model


def test_a_sweep_of_the_run_shown_fills_the_model_and_a_new_run_cancels_it(sweeps):
    controller, runs, model = sweeps
    panels = []
    model.events.panel.connect(panels.append)
    controller.start()
    runs.sweep.assert_called_once_with(model.record.config)
    assert model.sweep == SweepState(model.record.config) and panels == ["sweep"]
    controller._on_runs_progressed("the first group", 0.25)
    assert model.sweep.result == "the first group" and model.sweep.done == 0.25 and model.sweep.running
    model.start_run(RunRecord(RunConfig(lr=0.2)))
    assert model.sweep.note == NEW_RUN and not model.sweep.running and model.sweep.result == "the first group"


def test_a_point_clicked_runs_its_rate_as_the_box_keeps_it_and_pins_that_run(sweeps):
    controller, runs, model = sweeps

    def a_new_run(_new, _old):  # what the run controller does with a new setting
        runs.run_id += 1

    model.events.settings.connect(a_new_run)
    controller.pick(0.0022346337791, pin=True)
    assert model.settings.run.lr == 0.0022346 and runs.run_id == 2  # the box's seven decimals
    assert model.pins == ()  # not yet: when that run finishes
    model.start_run(runner.run(RunConfig(lr=0.0022346, steps=30)))
    controller._on_runs_finished(2)
    assert len(model.pins) == 1 and model.pins[0].config.lr == 0.0022346


def test_a_lesson_opens_into_the_model_and_a_bad_one_is_said(tmp_path, qapp):
    model = AppModel()
    lessons = LessonController(model)
    assert lessons.open("02-the-stability-edge")
    lesson = load_lesson("02-the-stability-edge")
    assert model.lesson == lesson and model.settings == lesson.steps[0].settings
    lessons.next_step()
    assert model.lesson_step == 1 and model.settings == lesson.steps[1].settings
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert not lessons.open(bad)
    assert model.lesson == lesson and "The lesson could not be opened." in model.notice.text


def test_settings_that_cannot_run_are_not_saved_as_a_step(tmp_path, qapp):
    model = AppModel()
    model.edit(pitfall="missing-wrt")
    model.edit(paradigm="linen")
    path = tmp_path / "class.json"
    assert LessonController(model).save_step(path, "Title", "Caption.") is None
    assert not path.exists() and model.notice.text.startswith("The step was not saved: these settings cannot run")


def test_a_notice_names_each_paradigms_step_when_they_differ():
    from app.model.notices import reached

    said = "Stopped: the loss reached 0.1"
    assert reached(0.1, {"nnx": 7, "linen": 9}).text == f"{said} (Linen at step 9 and NNX at step 7)."
    assert reached(0.1, {"nnx": 7, "linen": 7}).text == f"{said} (Linen and NNX at step 7)."
