"""Exports of the plot: PNG (pyqtgraph's exporter) or SVG (the run's CSV is RunRecord.to_csv).

SVG goes through Qt's own QSvgGenerator: pyqtgraph's SVGExporter cannot parse the path data
current Qt writes (pyqtgraph issue #3485) and fails with a ValueError.
"""

from pathlib import Path

import pyqtgraph.exporters as exporters
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator


def export_plot(plot, path) -> None:
    """The loss plot widget's whole scene, as PNG or SVG by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        exporters.ImageExporter(plot.scene()).export(str(path))
    elif suffix == ".svg":
        _write_svg(plot, path)
    else:
        raise ValueError(f"{path.name}: the plot can be saved as .png or .svg")
    if not path.exists():
        raise OSError(f"could not write {path}")


def _write_svg(widget, path: Path) -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle("Train Step Lab: loss and gradient norm")
    painter = QPainter(generator)
    widget.render(painter)
    painter.end()
