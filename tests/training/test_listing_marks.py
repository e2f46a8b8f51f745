"""With a feature off, a listing dims only lines that a real run of those settings does not execute."""

import sys
from pathlib import Path

import pytest

from app.model.config import RunConfig
from app.training import compiled, runner  # the step modules are imported before tracing
from app.training.listings import listing, module_source

TRAINING = Path(compiled.__file__).parent


def executed_lines(config: RunConfig) -> set[tuple[str, int]]:
    """(module, line) of app.training executed while `config` builds, compiles and runs.

    The program cache is cleared first, so the step functions are traced (run in Python) anew;
    the modules are imported before, so their import is not counted as the run.
    A function's `def` line counts as executed when the function is called.
    """
    compiled.forget_all()
    hits = set()

    def module_of(code):
        path = Path(code.co_filename)
        return f"app.training.{path.stem}" if path.parent == TRAINING else None

    def tracer(frame, event, _arg):
        module = module_of(frame.f_code)
        if module is None:
            return None
        if event == "call":
            hits.add((module, frame.f_code.co_firstlineno))
        elif event == "line":
            hits.add((module, frame.f_lineno))
        return tracer

    sys.settrace(tracer)
    try:
        runner.run(config)
    finally:
        sys.settrace(None)
        compiled.forget_all()
    return hits


@pytest.mark.parametrize("task", ["line", pytest.param("digits", marks=pytest.mark.slow)])
def test_every_dimmed_line_is_one_that_did_not_run(task):
    config = RunConfig(task=task, steps=3, optimizer="momentum")  # EMA and clipping off
    ran = executed_lines(config)
    assert ran, "the tracer saw nothing: the test would prove nothing"
    for paradigm in ("linen", "nnx"):
        shown = listing(paradigm, task)
        text = shown.text.splitlines()
        for feature in ("ema", "clip"):
            for i in sorted(shown.idle_lines[feature]):
                assert shown.origins[i] not in ran, f"{paradigm} {feature}: dimmed but ran: {text[i]!r}"
        dimmed_code = [i for f in ("ema", "clip") for i in shown.idle_lines[f] if text[i].strip()]
        assert dimmed_code, f"{paradigm}: nothing is dimmed at all"


def test_origins_point_at_the_files_lines():
    shown = listing("linen", "digits")
    for line, origin in zip(shown.text.splitlines(), shown.origins, strict=False):
        if origin is None:
            assert line == ""
        else:
            module, number = origin
            assert module_source(module).splitlines()[number - 1] == line
