"""The step inspector's view: the last step taken, value by value in the order its listing
computes them, Linen beside NNX; choosing a value shows the listing line that produced it."""

import numpy as np
from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.gui.digits_view import digit_images
from app.gui.message_bar import MessageBar
from app.gui.style import LABELS
from app.gui.theme import Look
from app.model.app_model import AppModel
from app.training.listings import listing

PARADIGMS = ("linen", "nnx")
WAITING = "Press S (one step) or Pause: this panel then shows the step just taken, value by value."
NOT_PARAMETERS = (
    "batch",
    "smoothed targets",
    "metrics",
    "batch_stats before",
    "batch_stats after",
    "dropout key before",
    "dropout key after",
)
"""The rows that are not shaped like the model's parameters: summed up otherwise than by a norm."""
NO_STATE = (
    "plain SGD keeps no state: its update is −lr times the gradients it is handed (clipped first, with clipping on)"
)
NAMES_SHARE = 0.45
"""The most of the table's width the names take (a longer name is cut, whole in its tooltip)."""
STRIP_SIDE = 40
"""The side of a batch digit in the inspector's strip, in pixels at zoom 1."""


NOTES = {
    "loss": "loss",
    "gradients": "grads",
    "gradient norm": "norm",
    "clipped gradients": "clipped",
    "update applied": "update",
    "update thrown away": "update, thrown away",
    "params after": "weights now",
    "EMA params after": "EMA now",
}
"""The values a listing line shows after its code once a step is inspected, by short name."""


def notes(inspection, paradigm: str, listing) -> dict[int, str]:
    """Per listing line, the values of `inspection` it computed, short: '# loss 0.14, grads
    (0.053, -0.71)', as a debugger shows them beside the code."""
    found = {}
    for name, short in NOTES.items():
        value = inspection.values.get(paradigm, {}).get(name)
        line = listing.value_lines.get(name)
        if value is None or line is None:
            continue
        found.setdefault(line, []).append(f"{short} {summary(name, value, 3)}")
    return {line: ", ".join(parts) for line, parts in found.items()}


def summary(name: str, value: dict, digits: int = 5) -> str:
    """A row's value in a few characters: its numbers when each is one number ('(0.053,
    -0.71)'), the norm of a parameter-shaped tree ('‖·‖ 3.21'), else nothing (its parts say it)."""
    arrays = [np.asarray(a) for a in value.values()]
    if all(a.size == 1 for a in arrays):
        numbers = [_number(a, digits) for a in arrays]
        return numbers[0] if len(numbers) == 1 else f"({', '.join(numbers)})"
    if name in NOT_PARAMETERS:
        return ""
    if name.startswith("opt_state"):  # a norm for each of its trees: momentum's trace, Adam's mu and nu
        groups = {}
        for key, a in value.items():
            if np.asarray(a).dtype.kind == "f":
                groups.setdefault(key.split("/")[0], []).append(a)
        return ", ".join(f"{group} ‖·‖ {_norm(parts):.{digits - 1}g}" for group, parts in groups.items())
    return f"‖·‖ {_norm(arrays):.{digits - 1}g}"


def _norm(arrays) -> float:
    """The global norm of some arrays, as `optax.tree.norm` takes it."""
    return float(np.sqrt(sum(np.sum(np.asarray(a, np.float64) ** 2) for a in arrays)))


def _number(value, digits: int = 5) -> str:
    value = np.asarray(value)
    if value.dtype.kind in "iu":
        return ", ".join(str(int(v)) for v in np.ravel(value))
    return ", ".join(f"{float(v):.{digits}g}" for v in np.ravel(value))


def _part(name: str, key: str, value) -> str:
    """One part of a row ('hidden/kernel', 'labels', 'key'), in a cell's few characters."""
    a = np.asarray(value)
    if a.size == 1:
        return _number(a)
    if key == "images":
        return _digits(len(a))
    if key == "key":
        return f"{int(a[0]):08x}"[:6] + "…"
    if a.dtype.kind in "iu":
        return " ".join(str(int(k)) for k in a[:5]) + (" …" if a.size > 5 else "")
    if name == "smoothed targets":
        return f"{a.max():.2g} / {a.min():.2g}"
    if name in NOT_PARAMETERS:
        return f"avg {a.mean():.3g}"
    return f"‖·‖ {_norm([a]):.4g}"


def _digits(n: int) -> str:
    return f"{n} digit" if n == 1 else f"{n} digits"


def _tip(name: str, key: str, value) -> str:
    """Every digit float32 holds, or, for an array, its shape and spread."""
    a = np.asarray(value)
    if a.size == 1:
        return _number(a, 9)
    if key == "key":
        return "the key's data: " + " ".join(f"{int(k):08x}" for k in a)
    if key == "images":
        return f"{_digits(len(a))} of 8×8 pixels in [0, 1]: the real rows of the minibatch"
    if key == "labels":
        return " ".join(str(int(k)) for k in a)
    shape = "×".join(map(str, a.shape))
    if name == "smoothed targets":
        return (
            f"{shape}: {a.max():.3g} for the true label, {a.min():.3g} for each other class "
            "(the listing's smooth_labels on this batch's labels, as the loss calls it)"
        )
    return f"{shape}: mean {a.mean():.5g}, min {a.min():.5g}, max {a.max():.5g}"


def _in_a_word(fact: str) -> str:
    """What became of a paradigm's state object, in a table cell's few words (the sentence
    under the table says it whole)."""
    if "threw it away" in fact:
        return "thrown away"
    if fact.startswith("diverged"):
        return "diverged"
    return "new TrainState" if fact.startswith("state:") else "same object"


def _fill(item, column, name, key, value):
    item.setText(column, _part(name, key, value))
    item.setToolTip(column, _tip(name, key, value))


class BatchStrip(QWidget):
    """The first digits of an inspected step's minibatch, each with its label under it."""

    def __init__(self, parent=None):
        super().__init__(parent, objectName="stepBatch")
        self.images, self.labels, self.total = [], [], 0
        self.look = Look()
        self.shown = 0  # how many fitted when last painted
        self.setToolTip("The step's minibatch: its first digits, each with its label (the labels' tooltip lists all).")
        self.hide()

    def show_batch(self, images: np.ndarray | None, labels: np.ndarray | None):
        """Show a minibatch's digits (None: no batch of images, hidden)."""
        self.setVisible(images is not None)
        if images is None:
            return
        self.images, self.labels, self.total = digit_images(images), list(labels), len(images)
        self._fit_height()
        self.update()

    def apply_look(self, look: Look):
        self.look = look
        font = QFont(self.font())
        font.setPointSize(look.pt())
        self.setFont(font)
        if not self.isHidden():  # shown in its tab, even while another tab is in front
            self._fit_height()
        self.update()

    def _side(self) -> int:
        return int(STRIP_SIDE * self.look.zoom)

    def _fit_height(self):
        """A title line, a row of digits and their labels' line."""
        self.setFixedHeight(self._side() + 2 * self.fontMetrics().height() + 12)

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.look.background))
        painter.setFont(self.font())
        line, side = painter.fontMetrics().height(), self._side()
        cell = side + 8
        self.shown = min(max(self.width() // cell, 1), self.total)
        painter.setPen(QColor(self.look.foreground))
        title = f"the batch: {_digits(self.total)}"
        if self.shown < self.total:
            title += f" (the first {self.shown} shown)"
        title = painter.fontMetrics().elidedText(title, Qt.ElideRight, self.width() - 8)
        painter.drawText(QRect(4, 0, self.width() - 8, line + 4), Qt.AlignLeft | Qt.AlignVCenter, title)
        for k in range(self.shown):
            x, y = 4 + k * cell, line + 6
            painter.drawImage(QRect(x, y, side, side), self.images[k])  # unsmoothed: the 8x8 pixels show
            painter.drawText(QRect(x, y + side, side, line), Qt.AlignCenter, str(self.labels[k]))
        painter.end()


class StepInspectorView(QWidget):
    """`show_inspection` fills the table; `lineChosen(paradigm, line)` asks for a listing line."""

    lineChosen = Signal(str, int)  # paradigm, the line of its listing that computes the value chosen

    def __init__(self, model: AppModel, parent=None):
        super().__init__(parent, objectName="stepInspector")
        self.model = model
        self.heading = MessageBar("stepInspectorHeading", "info", lines=2)
        self.code_shown = True  # the listings beside the panel (see `show_code`)
        self.tree = QTreeWidget(objectName="stepValues")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["value", LABELS["linen"], LABELS["nnx"]])
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in (1, 2):  # the paradigms share what the names leave
            header.setSectionResizeMode(column, QHeaderView.Stretch)
        self.tree.currentItemChanged.connect(self._chosen)
        self.strip = BatchStrip()
        self.facts = MessageBar("stepFacts", "info", lines=4, details=False)  # what became of the state
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.strip)
        layout.addWidget(self.tree)
        layout.addWidget(self.facts)
        self.inspection = None
        self.new_run()
        model.events.run.connect(self.new_run)
        model.events.inspection.connect(self.show_inspection)

    def apply_look(self, look: Look):
        self.strip.apply_look(look)

    def show_code(self, shown: bool):
        """Whether the listings are on screen (in presentation the panel stands in their place):
        the heading offers their lines only when they are."""
        self.code_shown = shown
        if self.inspection is not None:
            self._say_step()

    def _say_step(self):
        choose = " Choose a value to see the line that computes it." if self.code_shown else ""
        self.heading.setText(
            f"Step {self.inspection.step:,} (the plot's count from 0), from the inside: the run's own step "
            f"run once more from the state before it.{choose}"
        )

    def new_run(self, _record=None):
        """A new run: nothing inspected yet."""
        self.inspection = None
        self.tree.clear()
        self.strip.show_batch(None, None)
        self.facts.hide()
        self.heading.set_kind("info")
        self.heading.setText(WAITING)

    def show_inspection(self, inspection):
        """The last step taken (None: none yet)."""
        if inspection is None:
            self.new_run()
            return
        self.heading.set_kind("info")
        self.inspection = inspection
        self._say_step()
        shown = [p for p in PARADIGMS if p in inspection.values]
        batch = next((inspection.values[p]["batch"] for p in shown if "batch" in inspection.values[p]), {})
        self.strip.show_batch(batch.get("images"), batch.get("labels"))
        # The value chosen before stays chosen; at first the loss, whose line starts the step's work.
        chosen = self.tree.currentItem().data(0, Qt.UserRole) if self.tree.currentItem() else "loss"
        self.tree.clear()
        for name in [*inspection.rows, "the state object"]:
            item = QTreeWidgetItem([name])
            item.setData(0, Qt.UserRole, name)
            item.setToolTip(0, name)
            self.tree.addTopLevelItem(item)
            if name == "the state object":  # in a word here, in a sentence under the table
                for column, p in enumerate(PARADIGMS, 1):
                    item.setText(column, _in_a_word(inspection.facts.get(p, "")))
                    item.setToolTip(column, inspection.facts.get(p, ""))
            else:
                parts = {p: inspection.values[p][name] for p in shown if name in inspection.values[p]}
                self._fill_row(item, name, parts)
            if name == chosen:
                self.tree.setCurrentItem(item)
        said = [f"{LABELS[p]}'s {inspection.facts[p]}" for p in PARADIGMS if inspection.facts.get(p)]
        self.facts.setText("The state object: " + "; ".join(said) + "." if said else "")
        self.facts.setVisible(bool(said))
        self._fit_names()

    def wanted_width(self) -> int:
        """The width at which every name and value shows whole."""
        columns = sum(self.tree.sizeHintForColumn(c) + 12 for c in range(self.tree.columnCount()))
        return columns + self.tree.indentation() + 2 * self.tree.frameWidth() + 24  # a scroll bar

    def _fit_names(self):
        """The names' column as wide as its names, but never more than NAMES_SHARE of the tree:
        the values beside them are what a step shows."""
        self.tree.resizeColumnToContents(0)
        most = int(NAMES_SHARE * self.tree.viewport().width())
        if self.tree.columnWidth(0) > most:
            self.tree.setColumnWidth(0, most)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit_names()

    def _fill_row(self, item, name: str, parts: dict):
        """A value's row: one number per paradigm, or its parts as children (a parameter-shaped
        tree of arrays folded, its norm on the row)."""
        keys = list(dict.fromkeys(k for part in parts.values() for k in part))
        if not keys and name.startswith("opt_state"):  # plain SGD's optimizer state
            for column, p in enumerate(PARADIGMS, 1):
                if p in parts:
                    item.setText(column, "none (SGD)")
                    item.setToolTip(column, NO_STATE)
            return
        if len(keys) == 1:
            for column, p in enumerate(PARADIGMS, 1):
                if keys[0] in parts.get(p, {}):
                    _fill(item, column, name, keys[0], parts[p][keys[0]])
            return
        scalars = all(np.size(a) == 1 for part in parts.values() for a in part.values())
        for column, p in enumerate(PARADIGMS, 1):
            if p in parts and not scalars:  # the parts, each one number, say it below
                item.setText(column, summary(name, parts[p]))
                item.setToolTip(column, summary(name, parts[p]))
        for key in keys:
            child = QTreeWidgetItem([key])
            child.setData(0, Qt.UserRole, name)
            for column, p in enumerate(PARADIGMS, 1):
                if key in parts.get(p, {}):
                    _fill(child, column, name, key, parts[p][key])
            item.addChild(child)
        item.setExpanded(scalars or name in NOT_PARAMETERS)  # in the tree already: Qt expands only items it holds

    def _chosen(self, item, _previous=None):
        if item is None:
            return
        name, config = item.data(0, Qt.UserRole), self.model.record.config
        for p in PARADIGMS:
            line = listing(p, config.task, config.pitfall).value_lines.get(name)
            if line is not None:
                self.lineChosen.emit(p, line)
