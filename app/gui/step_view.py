"""The step inspector's view: the last step taken, value by value in the order its listing
computes them, Linen beside NNX; choosing a value shows the listing line that produced it."""

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.gui.message_bar import MessageBar
from app.gui.style import LABELS

PARADIGMS = ("linen", "nnx")
CODE = {
    "params before": {"linen": "def train_step(state", "nnx": ("def outer_scope_train_step", "def train_step(model")},
    "loss": "value_and_grad(loss_fn)",
    "gradients": "value_and_grad(loss_fn)",
    "gradient norm": "optax.tree.norm(grads)",
    "clipped gradients": "optax.chain(clip, tx)",
    "optimizer state before": {"linen": "state.apply_gradients", "nnx": ("# BUG: a fresh state", "optimizer.update(model, grads)")},
    "update applied": {"linen": "state.apply_gradients", "nnx": "optimizer.update(model, grads)"},
    "update thrown away": {"linen": "state.apply_gradients"},
    "optimizer state after": {"linen": "state.apply_gradients", "nnx": "optimizer.update(model, grads)"},
    "params after": {"linen": ("# BUG: `state` is not rebound", "state.apply_gradients"), "nnx": "optimizer.update(model, grads)"},
    "EMA params before": "ema_loss = loss_fn(",
    "EMA params after": {"linen": "state.apply_ema(decay)", "nnx": "update_ema(ema_model, model, decay)"},
    "the state object": {"linen": ("# BUG: `state` is not rebound", "state.apply_gradients"), "nnx": "optimizer.update(model, grads)"},
}
"""Per value, the text of the listing line that computes it (per paradigm where they differ;
of several, the first the listing has: a pitfall's faulty line before the usual one)."""
WAITING = "Press Step (S) or Pause: this panel then shows the step just taken, value by value."
NOT_INSPECTED = "The inspector shows the line fit's steps, whose weights are two numbers each; digits steps are not inspected."


def code_line(listing, value: str, paradigm: str) -> int | None:
    """The 0-based line of `listing` that computes `value`: the first in the step functions
    holding its text, else the first anywhere (the transform's chain sits in `make_tx`)."""
    wanted = CODE.get(value)
    texts = wanted.get(paradigm) if isinstance(wanted, dict) else wanted
    if listing is None or texts is None:
        return None
    lines = listing.text.splitlines()
    for text in (texts,) if isinstance(texts, str) else texts:
        found = [i for i, line in enumerate(lines) if text in line]
        in_step = [i for i in found if i in listing.step_lines]
        if found:
            return (in_step or found)[0]
    return None


NOTES = {
    "loss": "loss", "gradients": "grads", "gradient norm": "norm", "clipped gradients": "clipped",
    "update applied": "update", "update thrown away": "update, thrown away", "params after": "weights now",
    "EMA params after": "EMA now",
}
"""The values a listing line shows after its code once a step is inspected, by short name."""


def notes(inspection, paradigm: str, listing) -> dict[int, str]:
    """Per listing line, the values of `inspection` it computed, short: '# loss 0.14, grads
    (0.053, -0.71)', as a debugger shows them beside the code."""
    found = {}
    for name, short in NOTES.items():
        value = inspection.values.get(paradigm, {}).get(name)
        line = code_line(listing, name, paradigm)
        if value is None or line is None:
            continue
        numbers = [_number(v, 3) for v in value.values()]
        shown = numbers[0] if len(numbers) == 1 else f"({', '.join(numbers)})"
        found.setdefault(line, []).append(f"{short} {shown}")
    return {line: ", ".join(parts) for line, parts in found.items()}


def _number(value, digits: int = 5) -> str:
    return ", ".join(f"{float(v):.{digits}g}" for v in np.ravel(value))


def _fill(item, column, value):
    """A cell: the value to 5 digits, every digit float32 holds in its tooltip."""
    item.setText(column, _number(value))
    item.setToolTip(column, _number(value, 9))


class StepInspectorView(QWidget):
    """`show_inspection` fills the table; `lineChosen(paradigm, line)` asks for a listing line."""

    lineChosen = Signal(str, int)

    def __init__(self, parent=None):
        super().__init__(parent, objectName="stepInspector")
        self.heading = MessageBar("stepInspectorHeading", "info", lines=2)
        self.tree = QTreeWidget(objectName="stepValues")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["value", LABELS["linen"], LABELS["nnx"]])
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree)
        self.inspection = None
        self.listings = {}  # paradigm: the Listing shown, to find a value's line in
        self.new_run("line")

    def new_run(self, task: str):
        """A new run: nothing inspected yet (and, for digits, nothing will be)."""
        self.inspection = None
        self.tree.clear()
        self.heading.set_kind("info")
        self.heading.setText(WAITING if task == "line" else NOT_INSPECTED)

    def show_inspection(self, inspection):
        """The last step taken, or the message of an inspection that failed."""
        if isinstance(inspection, str):
            self.inspection = None
            self.tree.clear()
            self.heading.set_kind("error")
            self.heading.setText(f"The step could not be inspected: {inspection}")
            return
        self.heading.set_kind("info")
        self.inspection = inspection
        self.heading.setText(
            f"Step {inspection.step:,} (the plot's count from 0), from the inside: the run's own step "
            "run once more from the state before it. Choose a value to see the line that computes it."
        )
        # The value chosen before stays chosen; at first the loss, whose line starts the step's work.
        chosen = self.tree.currentItem().data(0, Qt.UserRole) if self.tree.currentItem() else "loss"
        self.tree.clear()
        shown = [p for p in PARADIGMS if p in inspection.values]
        names = list(dict.fromkeys(n for p in shown for n in inspection.values[p]))
        for name in names + ["the state object"]:
            item = QTreeWidgetItem([name])
            item.setData(0, Qt.UserRole, name)
            if name == "the state object":
                for column, p in enumerate(PARADIGMS, 1):
                    item.setText(column, inspection.facts.get(p, ""))
                    item.setToolTip(column, inspection.facts.get(p, ""))
            else:
                parts = {p: inspection.values[p].get(name, {}) for p in shown}
                keys = list(dict.fromkeys(k for part in parts.values() for k in part))
                if not keys:  # plain SGD's optimizer state
                    for column, p in enumerate(PARADIGMS, 1):
                        if name in inspection.values.get(p, {}):
                            item.setText(column, "none: plain SGD keeps no state")
                elif len(keys) == 1:
                    for column, p in enumerate(PARADIGMS, 1):
                        if keys[0] in parts.get(p, {}):
                            _fill(item, column, parts[p][keys[0]])
                else:
                    for key in keys:
                        child = QTreeWidgetItem([key])
                        child.setData(0, Qt.UserRole, name)
                        for column, p in enumerate(PARADIGMS, 1):
                            if key in parts.get(p, {}):
                                _fill(child, column, parts[p][key])
                        item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)  # once in the tree: Qt expands only items it holds
            if name == chosen:
                self.tree.setCurrentItem(item)
        self.tree.resizeColumnToContents(0)

    def _chosen(self, item, _previous=None):
        if item is None:
            return
        name = item.data(0, Qt.UserRole)
        for p in PARADIGMS:
            line = code_line(self.listings.get(p), name, p)
            if line is not None:
                self.lineChosen.emit(p, line)
