"""File ▸ Export Run as Notebook and Export Lesson as Notebook: the run on screen, or the open
lesson step by step, written whole as a notebook; a path that cannot be written says why and
leaves nothing behind."""

import nbformat
import pytest
from PySide6.QtWidgets import QFileDialog

from tests.gui.conftest import wait_for_run

pytestmark = pytest.mark.gui


def _save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kw: (str(path), ""))


def test_the_run_and_the_lesson_on_screen_export_as_notebooks(window, qtbot, tmp_path, monkeypatch):
    window.controls.steps_spin.setValue(123)
    wait_for_run(qtbot, window)
    run = tmp_path / "run.ipynb"
    _save_as(monkeypatch, run)
    window.actions["Export Run as Notebook…"].trigger()
    book = nbformat.read(run, as_version=4)
    nbformat.validate(book)
    assert any("STEPS = 123" in cell.source for cell in book.cells)
    assert window.status.currentMessage() == f"Saved {run}"
    window.actions["Export Lesson as Notebook…"].trigger()  # no lesson open: it says so
    assert "No lesson is open" in window.status.currentMessage()
    window.open_lesson("05-the-forgotten-rebind")
    wait_for_run(qtbot, window)
    lesson = tmp_path / "lesson.ipynb"
    _save_as(monkeypatch, lesson)
    window.actions["Export Lesson as Notebook…"].trigger()
    sections = [c.source for c in nbformat.read(lesson, as_version=4).cells if c.source.startswith("## Step")]
    assert [s.splitlines()[0] for s in sections] == [
        f"## Step {n}: {step.title}" for n, step in enumerate(window.model.lesson.steps, 1)
    ]


def test_a_notebook_that_cannot_be_written_says_why_and_leaves_nothing(window, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "missing-folder" / "run.ipynb")
    window.actions["Export Run as Notebook…"].trigger()
    assert window.banner.isVisible() and "The export failed" in window.banner.text()
    assert "missing-folder" in window.banner.text() and list(tmp_path.iterdir()) == []
    _save_as(monkeypatch, tmp_path / "run.txt")
    window.actions["Export Run as Notebook…"].trigger()
    assert "a notebook is saved as .ipynb" in window.banner.text() and list(tmp_path.iterdir()) == []
