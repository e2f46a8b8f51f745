"""The digits model view: test digits with the label the model predicts under each."""

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QWidget

from app.gui.style import LABELS
from app.gui.theme import Look
from app.model.tasks import DIGITS_GRID, digits_split

COLUMNS = 4
MIN_SIDE = 48
"""The least side of a digit on screen, in pixels: where the grid would be smaller, fewer show."""


def digit_images(pixels: np.ndarray) -> list[QImage]:
    """Flattened 8x8 digits (pixels in [0, 1]) as images, dark ink on white."""
    grey = (255 - pixels * 255).astype(np.uint8).reshape(-1, 8, 8)
    return [
        QImage(np.ascontiguousarray(g).data, 8, 8, 8, QImage.Format_Grayscale8).copy() for g in grey
    ]  # owns its pixels


class DigitsView(QWidget):
    """A grid of the first test digits; each shows the predicted label, wrong ones in red."""

    def __init__(self, parent=None):
        super().__init__(parent)
        _, _, test_x, test_y = digits_split()
        self._images = digit_images(test_x[:DIGITS_GRID])
        self.labels = test_y[:DIGITS_GRID]
        self.predictions = None
        self.paradigm = None
        self.look = Look()
        self.shown = DIGITS_GRID  # how many fit on screen at 48 px or more
        self.side = 0  # a digit's side on screen, in pixels, when last painted
        self.title = ""  # the title, as last painted
        self.setMinimumWidth(160)
        self.setToolTip(
            "The first test digits and, under each, the label the model predicts now; "
            "red ones are wrong (with the true label)."
        )

    def apply_look(self, look: Look):
        self.look = look
        self.update()

    def show_predictions(self, shown: dict):
        """Take the NNX model's predictions (the Linen model's when NNX is not running)."""
        self.paradigm = "nnx" if "nnx" in shown else "linen"
        self.predictions = np.asarray(shown[self.paradigm]["predictions"])
        self.update()

    def clear(self):
        self.predictions = None
        self.update()

    def wrong(self) -> int:
        return int(np.sum(self.predictions != self.labels)) if self.predictions is not None else 0

    def _titles(self) -> list[str]:
        """What the grid shows, said at length, then shorter for a narrow panel."""
        if self.predictions is None:
            return ["test digits: the model's predictions", "test digits"]
        who, wrong = LABELS[self.paradigm], self.wrong()
        if self.shown == DIGITS_GRID:
            return [f"{who}: {wrong} of {DIGITS_GRID} wrong"]
        return [
            f"{who}: {wrong} of {DIGITS_GRID} wrong ({self.shown} shown)",
            f"{who}: {wrong}/{DIGITS_GRID} wrong, {self.shown} shown",
        ]

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.look.background))
        font = QFont(self.font())
        font.setPointSize(self.look.pt())
        painter.setFont(font)
        line = painter.fontMetrics().height()
        room = self.height() - line - 8  # below the title
        columns, rows = COLUMNS, DIGITS_GRID // COLUMNS
        side = int(min(self.width() / columns - 8, room / rows - line - 8))
        if side < MIN_SIDE:  # as many whole rows and columns of 48 px digits as fit
            side = MIN_SIDE
            columns = max(int(self.width() // (side + 8)), 1)
            rows = max(int(room // (side + line + 8)), 1)
        self.shown, self.side = min(columns * rows, DIGITS_GRID), side
        cell_w, cell_h = self.width() / columns, room / rows
        painter.setPen(QColor(self.look.foreground))
        self.title = _fitting(self._titles(), painter.fontMetrics(), self.width() - 4)
        painter.drawText(QRect(0, 0, self.width(), line + 8), Qt.AlignCenter, self.title)
        for k, image in enumerate(self._images[: columns * rows]):
            row, col = divmod(k, columns)
            x = int(col * cell_w + (cell_w - side) / 2)
            y = int(line + 8 + row * cell_h)
            painter.drawImage(QRect(x, y, side, side), image)  # unsmoothed: the 8x8 pixels show
            if self.predictions is not None:
                bad = self.predictions[k] != self.labels[k]
                text = f"{self.predictions[k]} (is {self.labels[k]})" if bad else str(self.predictions[k])
                painter.setPen(QColor(self.look.wrong if bad else self.look.foreground))
                painter.drawText(QRect(int(col * cell_w), y + side, int(cell_w), line), Qt.AlignCenter, text)
                if bad:
                    painter.drawRect(QRect(x - 2, y - 2, side + 3, side + 3))
        painter.end()


def _fitting(texts: list[str], metrics, width: float) -> str:
    """The first of `texts` that fits `width` whole; else the last, cut with "…"."""
    fits = next((t for t in texts if metrics.horizontalAdvance(t) <= width), None)
    return fits if fits is not None else metrics.elidedText(texts[-1], Qt.ElideRight, int(width))
