"""Where everything sits in the window: the controls in a scrolling column on the left; the
lesson bar, banners, readouts, the plots and the model view top right; the listings below."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QSplitter, QVBoxLayout, QWidget


def assemble(window) -> QScrollArea:
    """Lay out `window`'s views as its central widget; returns the controls' scroll area."""
    scroll = QScrollArea(widgetResizable=True)
    scroll.setWidget(window.controls)
    scroll.setMinimumWidth(window.controls.sizeHint().width() + 24)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    readouts = QHBoxLayout()
    readouts.addWidget(window.readout, 1)
    readouts.addWidget(window.difference)
    plots = QSplitter(Qt.Horizontal)
    plots.addWidget(window.plot)
    plots.addWidget(window.model_views)
    plots.setStretchFactor(0, 3)
    plots.setStretchFactor(1, 1)
    top = QWidget()
    top_layout = QVBoxLayout(top)
    top_layout.setContentsMargins(0, 0, 0, 0)
    for widget in (window.lesson_bar, window.banner, window.caption):
        top_layout.addWidget(widget)
    window.banner.hide()
    window.caption.hide()
    top_layout.addLayout(readouts)
    top_layout.addWidget(plots, 1)
    right = QSplitter(Qt.Vertical)
    right.addWidget(top)
    right.addWidget(window.listings)
    right.setSizes([540, 460])
    centre = QSplitter(Qt.Horizontal)
    centre.addWidget(scroll)
    centre.addWidget(right)
    centre.setStretchFactor(1, 1)
    window.setCentralWidget(centre)
    return scroll
