"""Colours and sizes chosen for a projector: colour-blind-safe pens, large type."""

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

from app.model.config import NAMES

# Okabe & Ito's colour-blind-safe palette.
PENS = {
    "linen": "#E69F00",  # orange
    "nnx": "#0072B2",  # blue
    "linen_ema": "#D55E00",  # vermillion
    "nnx_ema": "#56B4E9",  # sky blue
    "clip": "#CC79A7",  # reddish purple
}
LABELS = NAMES
BASE_POINT_SIZE = 12
CODE_POINT_SIZE = 12
DIMMED = QColor("#A8A8A8")
WRONG = "#B3261E"  # a wrong prediction
BANNERS = {
    "info": ("background:#DCE9F5; color:black;", "background:#1F3A56; color:#E8E8E8;"),
    "warning": (
        "background:#F6C344; color:black; font-weight:bold;",
        "background:#6B4E00; color:white; font-weight:bold;",
    ),
    "error": (
        "background:#B3261E; color:white; font-weight:bold;",
        "background:#B3261E; color:white; font-weight:bold;",
    ),
}
"""A banner's CSS for each kind, (light theme, dark theme)."""


def sized_font(point_size: int) -> QFont:
    """The application's font at another size (a bare QFont("") crashes text layout in
    pyqtgraph's axes when another thread is busy)."""
    font = QFont(QApplication.font())
    font.setPointSize(point_size)
    return font
