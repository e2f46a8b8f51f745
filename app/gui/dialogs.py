"""The window's file and clipboard commands: open a lesson or an exercise, save the settings as
a lesson step, export the plot or the run, copy the listings or the settings as a command line."""

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from app.model.command_line import command_line
from app.model.exercises import EXERCISES_DIR
from app.model.lessons import LESSONS_DIR


def open_lesson(window):
    path, _ = QFileDialog.getOpenFileName(window, "Open Lesson", str(LESSONS_DIR), "Lessons (*.json)")
    if path:
        window.open_lesson(path)


def open_exercise(window):
    path, _ = QFileDialog.getOpenFileName(window, "Open Exercise", str(EXERCISES_DIR), "Exercises (*.json)")
    if path:
        window.open_exercise(path)


def save_step(window):
    """Ask for a lesson file (appended to, never overwritten), a title and a caption."""
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    path, _ = QFileDialog.getSaveFileName(
        window, "Save Settings as Lesson Step", documents, "Lessons (*.json)", options=QFileDialog.DontConfirmOverwrite
    )
    if not path:
        return
    title, ok = QInputDialog.getText(window, "Lesson step", "Step title:")
    if not ok:
        return
    caption, ok = QInputDialog.getMultiLineText(window, "Lesson step", "Caption (two or three sentences):")
    if ok:
        window.save_step(path, title.strip() or "Untitled step", caption.strip() or title.strip() or "No caption.")


EXPORT_FOLDER = "export/folder"
"""Where the last export went (QSettings): the next one's dialog opens there."""


def export_folder(kind: str) -> str:
    """The folder an export dialog opens in: the last export's, else Pictures for a picture
    and Documents for a CSV or a notebook."""
    last = QSettings().value(EXPORT_FOLDER, "", str)
    if last and Path(last).is_dir():
        return last
    where = QStandardPaths.PicturesLocation if kind in ("png", "svg") else QStandardPaths.DocumentsLocation
    return QStandardPaths.writableLocation(where)


NOTEBOOKS = {"run": "Export Run as Notebook", "lesson": "Export Lesson as Notebook"}


def export(window, kind: str):
    """Ask where to save the plot (png, svg), the run (csv, or a notebook: "run"), or the
    lesson as a notebook ("lesson"), and save it there."""
    if kind == "lesson" and window.model.lesson is None:
        window.status.showMessage("No lesson is open: File ▸ Lessons opens one.", 10_000)
        return
    if kind != "lesson" and window.model.record is None:
        window.status.showMessage("Nothing has run yet to export.", 10_000)
        return
    notebook = kind in NOTEBOOKS
    suffix = "ipynb" if notebook else kind
    what = NOTEBOOKS.get(kind) or f"Export {'Run' if kind == 'csv' else 'Plot'}"
    name = {"run": "run", "lesson": "lesson", "csv": "run"}.get(kind, "loss") + f".{suffix}"
    path, _ = QFileDialog.getSaveFileName(
        window, what, str(Path(export_folder(kind)) / name), f"{suffix.upper()} (*.{suffix})"
    )
    if not path:
        return
    from app.gui.export import export_csv, export_notebook, export_plot  # on first use: start-up stays short

    try:
        if notebook:
            export_notebook(window.model, kind, path)
        elif kind == "csv":
            export_csv(window.model.record, path)
        else:
            export_plot(window.plot, path)
    except (OSError, ValueError) as error:
        window.model.say("error", f"The export failed: {error}.")
    else:
        QSettings().setValue(EXPORT_FOLDER, str(Path(path).parent))
        window.status.showMessage(f"Saved {path}", 10_000)


def copy_listings(window):
    """Both listings as plain text, headed by their paradigm."""
    QApplication.clipboard().setText(window.listings.text())


def copy_command(window):
    """The `python main.py …` line that reopens the window on these settings, to share."""
    line = command_line(window.model.settings)
    QApplication.clipboard().setText(line)
    window.status.showMessage(f"Copied: {line}", 10_000)
