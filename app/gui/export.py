"""Exports: the plot as PNG (pyqtgraph's exporter) or SVG, the run as CSV, the run or the
lesson as a Jupyter notebook.

Each picture is made in memory first and then written whole (`files.write_bytes`), and the CSV
is written whole too (`files.write_file`): a failure leaves whatever file was there as it was,
and says why.

SVG goes through Qt's own QSvgGenerator: pyqtgraph's SVGExporter cannot parse the path data
current Qt writes (pyqtgraph issue #3485) and fails with a ValueError.
"""

from dataclasses import replace
from pathlib import Path

import pyqtgraph.exporters as exporters
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

from app.model.files import SaveError, target_of, write_bytes, write_file


def export_plot(plot, path) -> Path:
    """The loss plot widget's whole scene, as PNG or SVG by the file's extension; returns the
    path written (SaveError, or ValueError for another extension, says why not)."""
    target_of(path)  # a folder or a device is said as such, before any picture is made
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"{Path(path).name}: the plot can be saved as .png or .svg")
    try:
        data = _png(plot) if suffix == ".png" else _svg(plot)
    except SaveError as error:
        raise SaveError(f"could not write {path}: {error}; nothing was written") from None
    return write_bytes(path, data)


def export_csv(record, path) -> int:
    """The run's every step as CSV (see `RunRecord.to_csv`); returns the rows written."""
    rows = []
    write_file(path, lambda file: rows.append(record.to_csv(file)))
    return rows[0]


def export_notebook(model, kind: str, path) -> Path:
    """The run shown ("run") or the open lesson ("lesson") as a standalone notebook."""
    from app.training.notebook import lesson_notebook, notebook, to_bytes

    if Path(path).suffix.lower() != ".ipynb":
        raise ValueError(f"{Path(path).name}: a notebook is saved as .ipynb")
    if kind == "lesson":
        book = lesson_notebook(model.lesson)
    else:
        shown = replace(model.settings, run=model.record.config)  # the run on screen, as it ran
        title = model.lesson.steps[model.lesson_step].title if model.lesson is not None else ""
        book = notebook(shown, title)
    return write_bytes(path, to_bytes(book))


PNG_WIDTH = 1920
"""The least width of an exported PNG, in pixels: sharp on a projector or a slide."""


def _png(plot) -> bytes:
    exporter = exporters.ImageExporter(plot.scene())
    exporter.parameters()["width"] = max(PNG_WIDTH, int(plot.scene().sceneRect().width()))
    return png_bytes(exporter.export(toBytes=True))


def png_bytes(picture) -> bytes:
    """A QImage or QPixmap as the bytes of a PNG file."""
    return _bytes_of(lambda device: picture.save(device, "PNG"))


def _svg(widget) -> bytes:
    def paint(device):
        generator = QSvgGenerator()
        generator.setOutputDevice(device)
        generator.setSize(widget.size())
        generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
        generator.setTitle("Train Step Lab: loss and gradient norm")
        painter = QPainter(generator)
        widget.render(painter)
        return painter.end()

    return _bytes_of(paint)


def _bytes_of(write) -> bytes:
    """What `write(device)` writes into an in-memory device."""
    data = QByteArray()
    device = QBuffer(data)
    device.open(QIODevice.WriteOnly)
    if write(device) is False or data.isEmpty():
        raise SaveError("the picture could not be made")
    device.close()
    return bytes(data.data())
