"""The window's file dialogs: open a lesson, save the settings as a lesson step, export."""

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.model.lessons import LESSONS_DIR


def open_lesson(window):
    path, _ = QFileDialog.getOpenFileName(window, "Open Lesson", str(LESSONS_DIR), "Lessons (*.json)")
    if path:
        window.open_lesson(path)


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


def export(window, kind: str):
    """Ask where to save the plot (png, svg) or the run (csv), and save it there."""
    what = "Run" if kind == "csv" else "Plot"
    path, _ = QFileDialog.getSaveFileName(
        window, f"Export {what}", f"{'run' if kind == 'csv' else 'loss'}.{kind}", f"{kind.upper()} (*.{kind})"
    )
    if not path:
        return
    try:
        window.export_csv(path) if kind == "csv" else window.export_plot(path)
    except (OSError, ValueError) as error:
        window.model.say("error", f"The export failed: {error}.")
    else:
        window.status.showMessage(f"Saved {path}", 10_000)
