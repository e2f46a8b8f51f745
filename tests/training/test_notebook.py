"""Runs as notebooks: what an exported notebook holds (the step modules' very source, the
data, the settings, no import of this app), and, executed in a fresh Jupyter kernel, the same
final losses as the app's own run."""

import json
import re

import nbformat
import numpy as np
import pytest

from app.cli import main
from app.model.config import RunConfig
from app.model.lessons import load_lesson
from app.model.settings import Settings
from app.model.tasks import line_fit_batch
from app.training import runner
from app.training.listings import module_source
from app.training.notebook import MODULES, STEPS, _standalone, lesson_notebook, notebook, to_bytes

SAME = 1e-5
"""How close the notebook's final losses must be to the app's (relative): a Python loop of
jitted steps against the app's compiled loop. For the runs below they were measured equal to
the last bit; the summary line prints six significant digits."""


def _code(book) -> str:
    return "\n".join(cell.source for cell in book.cells if cell.cell_type == "code")


@pytest.mark.parametrize("task", ["line", "digits"])
def test_a_notebook_holds_the_step_modules_as_the_listings_show_them(task):
    config = RunConfig(task=task, optimizer="momentum", clip_norm=1.0, ema_decay=0.99, steps=40)
    book = notebook(Settings(config), "A run")
    nbformat.validate(book)
    code = _code(book)
    for name in (*MODULES[task], "pitfalls"):
        body = _standalone(module_source(STEPS + name))
        assert f"%%writefile {name}.py\n{body}" in code
        assert body.replace("from app.training.steps.", "") == body  # nothing of this app is left
    assert not re.search(r"^\s*(from|import) app\b", code, flags=re.M)
    markdown = book.cells[0].source
    assert markdown.startswith("# A run") and "| Learning rate | 0.1 |" in markdown
    assert "| Clip gradients | 1.0 |" in markdown and "python main.py" in markdown and "--clip 1.0" in markdown
    if task == "line":
        x, _ = line_fit_batch()
        assert f"x = np.array({[float(v) for v in x[:, 0]]!r}" in code  # every point, exact


def test_a_pitfall_that_raises_at_once_is_shown_with_what_it_raised():
    code = _code(notebook(Settings(RunConfig(steps=50, pitfall="missing-wrt"))))
    assert "try:\n    pitfalls.missing_wrt(model, tx)\nexcept Exception as error:" in code
    assert "errors['nnx'] = f'{type(error).__name__}: {error}'" in code
    assert "step = jax.jit(linen_step.train_step)" in code and "nnx.jit(nnx_step.train_step)" not in code


def test_the_command_line_writes_a_notebook_and_refuses_one_it_cannot(tmp_path, capsys):
    path = tmp_path / "run.ipynb"
    assert main(["--headless", "--steps", "20", "--notebook", str(path)]) == 0
    book = nbformat.read(path, as_version=4)
    assert "STEPS = 20" in _code(book)
    assert main(["--headless", "--notebook", str(tmp_path / "no-folder" / "x.ipynb")]) == 2
    assert "the notebook cannot be written" in capsys.readouterr().err
    assert main(["--notebook", str(path)]) == 2  # a notebook of a headless run only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.ipynb"]  # no partial file


def _executed(book, folder):
    from nbclient import NotebookClient

    NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    printed = "".join(
        output.get("text", "") for cell in book.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
    )
    summaries = [line for line in printed.splitlines() if line.startswith("paradigm=")]
    return [dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line)) for line in summaries]


def _assert_same(lines, config):
    result = runner.run(config)
    for line in lines:
        paradigm = line["paradigm"]
        if paradigm in result.errors:
            assert json.loads(line["error"]) == " ".join(result.errors[paradigm].split())
            continue
        metrics = result.metrics[paradigm]
        assert int(line["steps"]) == len(metrics["loss"])
        assert float(line["final_loss"]) == pytest.approx(float(metrics["loss"][-1]), rel=SAME)
        if "final_ema_loss" in line:
            assert float(line["final_ema_loss"]) == pytest.approx(float(metrics["ema_loss"][-1]), rel=SAME)
    assert {line["paradigm"] for line in lines} == set(config.paradigms)


@pytest.mark.slow  # a Jupyter kernel per notebook
@pytest.mark.parametrize(
    "config",
    [
        RunConfig(optimizer="momentum", lr=0.3, clip_norm=1.0, ema_decay=0.99, steps=300),
        RunConfig(optimizer="adam", lr=0.05, steps=300, pitfall="optimizer-in-loop"),
        RunConfig(task="digits", steps=60, dropout=0.1, ema_decay=0.9),
    ],
    ids=["momentum-clip-ema", "optimizer-in-loop", "digits"],
)
def test_an_executed_notebook_gives_the_apps_final_losses(config, tmp_path):
    book = nbformat.reads(to_bytes(notebook(Settings(config))).decode(), as_version=4)  # as written to disk
    _assert_same(_executed(book, tmp_path), config)


@pytest.mark.slow  # a Jupyter kernel
def test_a_lesson_notebook_runs_each_step(tmp_path):
    lesson = load_lesson("05-the-forgotten-rebind")
    lines = _executed(lesson_notebook(lesson), tmp_path)
    per_step = [lines[i : i + 2] for i in range(0, len(lines), 2)]
    assert len(per_step) == len(lesson.steps)
    for step, printed in zip(lesson.steps, per_step, strict=True):
        _assert_same(printed, step.settings.run)
    assert np.isfinite([float(line["final_loss"]) for line in lines]).all()
