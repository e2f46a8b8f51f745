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
    and Documents for a CSV."""
    last = QSettings().value(EXPORT_FOLDER, "", str)
    if last and Path(last).is_dir():
        return last
    where = QStandardPaths.DocumentsLocation if kind == "csv" else QStandardPaths.PicturesLocation
    return QStandardPaths.writableLocation(where)


def export(window, kind: str):
    """Ask where to save the plot (png, svg) or the run (csv), and save it there."""
    what = "Run" if kind == "csv" else "Plot"
    name = f"{'run' if kind == 'csv' else 'loss'}.{kind}"
    path, _ = QFileDialog.getSaveFileName(
        window, f"Export {what}", str(Path(export_folder(kind)) / name), f"{kind.upper()} (*.{kind})"
    )
    if not path:
        return
    from app.gui.export import export_csv, export_plot  # built on first use: start-up stays short

    try:
        export_csv(window.model.record, path) if kind == "csv" else export_plot(window.plot, path)
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
