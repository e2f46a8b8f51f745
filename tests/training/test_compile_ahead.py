"""Compiling ahead: the structures one toggle away compile on their own thread, once each."""

import threading

import pytest

from app.model.config import RunConfig
from app.training import compile_ahead, compiled, runner, step_inspector
from app.training.compile_ahead import CompileAhead, one_toggle_away
from app.training.programs import Program


@pytest.fixture
def fresh_programs(monkeypatch):
    """No program compiled yet (the session's own come back afterwards), compiling ahead on."""
    monkeypatch.setattr(compiled, "_programs", {})
    monkeypatch.setenv(compile_ahead.SWITCH, "1")
    monkeypatch.setattr(compile_ahead, "IDLE_SECONDS", 0.05)


def test_one_toggle_away_from_the_default_line_fit():
    base = RunConfig()
    by_hand = [
        base.with_changes(ema_decay=0.99),
        base.with_changes(clip_norm=1.0),
        base.with_changes(optimizer="momentum"),
        base.with_changes(optimizer="adam"),
        base.with_changes(pitfall="forgotten-rebind"),
        base.with_changes(pitfall="optimizer-in-loop"),
        base.with_changes(pitfall="missing-wrt"),
        base.with_changes(pitfall="outer-scope-model"),
        base.with_changes(task="digits"),
        base.with_changes(paradigm="nnx"),
        base.with_changes(paradigm="linen"),
    ]  # the clip pitfall needs clipping on: two changes away
    near = one_toggle_away(base)
    assert [c.structure for c in near] == [c.structure for c in by_hand]


def test_one_toggle_away_from_digits_includes_its_own_controls_and_no_pitfall():
    base = RunConfig(task="digits", ema_decay=0.9)
    near = {c.structure for c in one_toggle_away(base)}
    assert base.with_changes(ema_decay=None).structure in near
    assert {base.with_changes(dropout=r).structure for r in (0.0, 0.2, 0.3, 0.5)} <= near
    assert {base.with_changes(batch_size=n).structure for n in (32, 128)} <= near
    assert base.with_changes(task="line").structure in near
    assert base.structure not in near
    assert all(s.pitfall is None for s in near)


def test_two_threads_compile_one_program_once():
    config = RunConfig(optimizer="adam", paradigm="linen")
    prog = Program(config.structure)  # a program of its own: not compiled by any other test
    waits = []
    threads = [threading.Thread(target=lambda: waits.append(prog.compile(config))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert prog.compiled and prog.traces == {"init": 1, "chunk": 1}
    assert len(waits) == 2 and min(waits) >= 0.5 * max(waits)  # the second call waited for the first's compile
    assert prog.compile(config) == 0.0


def test_what_compiled_ahead_runs_without_compiling(fresh_programs):
    base = RunConfig(steps=50)
    runner.run(base)  # the run the user made
    toggled = base.with_changes(ema_decay=0.95)  # the first toggle compiled ahead
    ahead = CompileAhead()
    try:
        ahead.around(base)
        pause = threading.Event()
        for _ in range(600):
            if toggled.structure in ahead.compiled:
                break
            pause.wait(0.1)  # a plain thread test: no event loop to starve
        assert toggled.structure in ahead.compiled
    finally:
        ahead.close()
    assert not runner.needs_compile(toggled)
    assert runner.Run(toggled).compile_seconds == 0.0
    assert compiled.program(toggled.structure).traces == {"init": 1, "chunk": 1}


@pytest.mark.slow  # compiles the digits model
def test_the_inspector_of_the_settings_shown_compiles_ahead_first(fresh_programs):
    base = RunConfig(task="digits", steps=50)
    ahead = CompileAhead()
    try:
        ahead.around(base)
        pause = threading.Event()
        for _ in range(600):
            if ahead.inspectors:
                break
            pause.wait(0.1)  # a plain thread test: no event loop to starve
        assert ahead.inspectors == [base.structure] and ahead.compiled == []  # before any toggle
        assert step_inspector.is_compiled(base.structure)
    finally:
        ahead.close()
    run = runner.Run(base)
    assert run.compile_seconds == 0.0
    run.advance(1)
    assert run.inspect_last().step == 0
    assert compiled.program(base.structure).traces["inspect"] == 1  # traced once, ahead


def test_the_same_wish_keeps_its_idle_time_until_something_runs(fresh_programs, monkeypatch):
    monkeypatch.setattr(compile_ahead, "IDLE_SECONDS", 3600.0)  # nothing starts: only the wishes are looked at
    base = RunConfig(steps=50)
    ahead = CompileAhead()
    try:
        ahead.around(base, toggles=False)
        since = ahead._idle_since
        ahead.around(base, toggles=False)  # the next tick of a slowly animated run
        assert ahead._idle_since == since
        ahead.around(base)  # it ended: the toggles are wished for too, idle from now
        assert ahead._idle_since > since and len(ahead._wanted) > 1
        ahead.hold()  # a run: no wish
        assert ahead._wanted == []
        ahead.around(base)  # idle again at the same settings: wished again
        assert ahead._wanted
    finally:
        ahead.close()


def test_a_run_animated_slowly_compiles_its_inspector_only(fresh_programs, monkeypatch):
    """Asked again on every tick, the wish keeps its idle time: the inspector compiles, and
    nothing one toggle away does while the run plays."""
    monkeypatch.setattr(compile_ahead, "IDLE_SECONDS", 0.5)  # ten ticks: only a kept idle time gets there
    base = RunConfig(steps=50)
    runner.run(base)
    ahead = CompileAhead()
    try:
        pause = threading.Event()
        for _ in range(3000):
            ahead.around(base, toggles=False)  # every tick, 20 ms apart: less than the idle wait
            if ahead.inspectors:
                break
            pause.wait(0.02)
        assert ahead.inspectors == [base.structure]
        pause.wait(0.5)
    finally:
        ahead.close()
    assert ahead.compiled == []


def _compiled_within(seconds, *calls):
    """What a CompileAhead compiles (inspectors and programs), over `seconds` (five times its
    idle wait), after `calls`."""
    ahead = CompileAhead()
    for call in calls:
        call(ahead)
    threading.Event().wait(seconds)
    ahead.close()  # waits for a compile in flight: one started would be counted
    return ahead.inspectors + ahead.compiled


@pytest.fixture
def slow_to_start(monkeypatch):
    """Compiling ahead starts after 0.2 s idle: long enough to call `hold` before it does."""
    monkeypatch.setattr(compile_ahead, "IDLE_SECONDS", 0.2)


def test_nothing_compiles_ahead_while_something_runs(fresh_programs, slow_to_start):
    assert _compiled_within(1.0, lambda a: a.around(RunConfig()), CompileAhead.hold) == []


@pytest.mark.slow  # compiles the digits model
def test_nothing_compiles_ahead_when_switched_off(fresh_programs, slow_to_start, monkeypatch):
    monkeypatch.setenv(compile_ahead.SWITCH, "0")
    assert _compiled_within(1.0, lambda a: a.around(RunConfig())) == []
    monkeypatch.setenv(compile_ahead.SWITCH, "1")
    assert _compiled_within(1.0, lambda a: a.around(RunConfig()))  # the same, switched on
