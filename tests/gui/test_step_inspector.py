"""The step inspector in the window: Step or Pause shows the last step value by value, and a
value leads to the listing line that computes it."""

import numpy as np
import pytest

from app.gui.step_view import summary
from tests.gui.conftest import RUN_TIMEOUT_MS, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window


def _inspected(qtbot, window):
    qtbot.waitUntil(lambda: window.side.step_view.inspection is not None, timeout=RUN_TIMEOUT_MS)
    return window.side.step_view.inspection


def test_a_single_step_shows_its_values_and_the_weights_the_run_holds(window, qtbot):
    window.controls.optimizer_combo.setCurrentIndex(window.controls.optimizer_combo.findData("momentum"))
    window.controls.clip_check.setChecked(True)
    wait_for_run(qtbot, window)
    window.single_step()
    inspection = _inspected(qtbot, window)
    view = window.side.step_view
    assert view.objectName() == "stepInspector" and window.side.currentWidget() is view
    record = window.record
    qtbot.waitUntil(lambda: record.steps_done("nnx") == inspection.step + 1, timeout=RUN_TIMEOUT_MS)
    for p in ("linen", "nnx"):
        after = inspection.values[p]["params after"]
        shown = record.shown[p]  # the weights the run holds after its last step
        assert after["kernel"] == shown["kernel"][0, 0] and after["bias"] == shown["bias"][0]
        assert inspection.values[p]["params before"]["kernel"] == record.curve(p, "kernel")[1][inspection.step]
    rows = [view.tree.topLevelItem(i).text(0) for i in range(view.tree.topLevelItemCount())]
    assert rows[:4] == ["batch", "params before", "loss", "gradients"] and "clipped gradients" in rows
    assert "opt_state after" in rows and rows[-1] == "the state object"
    state = view.tree.topLevelItem(rows.index("the state object"))
    assert "new TrainState" in state.text(1) and "same object" in state.text(2)


def test_choosing_a_value_selects_the_line_that_computes_it(window, qtbot):
    window.single_step()
    _inspected(qtbot, window)
    view = window.side.step_view
    rows = [view.tree.topLevelItem(i).text(0) for i in range(view.tree.topLevelItemCount())]
    view.tree.setCurrentItem(view.tree.topLevelItem(rows.index("update applied")))
    assert "optimizer.update(model, grads)" in window.listings.nnx_pane.editor.textCursor().block().text()
    assert "state.apply_gradients" in window.listings.linen_pane.editor.textCursor().block().text()
    view.tree.setCurrentItem(view.tree.topLevelItem(rows.index("gradients")))
    assert "value_and_grad(loss_fn)" in window.listings.nnx_pane.editor.textCursor().block().text()


def test_pausing_inspects_the_last_step(window, qtbot):
    window.controls.clip_check.setChecked(True)  # past the edge, clipped: it bounces and never settles
    window.controls.lr_spin.setValue(1.2)
    window.controls.steps_spin.setValue(200_000)
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 1000, timeout=RUN_TIMEOUT_MS)
    window.controls.pause_button.click()
    inspection = _inspected(qtbot, window)
    assert inspection.step > 0
    values = inspection.values["nnx"]
    update = np.array([values["update applied"][n] for n in ("kernel", "bias")], np.float64)
    moved = np.array([values["params after"][n] - values["params before"][n] for n in ("kernel", "bias")], np.float64)
    np.testing.assert_allclose(moved, update, rtol=1e-3, atol=1e-9)


def test_a_digits_step_shows_its_batch_statistics_keys_and_targets(window, qtbot):
    window.controls.task_combo.setCurrentIndex(window.controls.task_combo.findData("digits"))
    qtbot.waitUntil(lambda: window.record.config.task == "digits", timeout=RUN_TIMEOUT_MS)
    assert window.side.step_view.inspection is None  # a new run: nothing inspected yet
    wait_for_run(qtbot, window)
    window.single_step()
    inspection = _inspected(qtbot, window)
    view = window.side.step_view
    assert window.side.currentWidget() is view and not window.side.landscape.arrows
    images = inspection.values["nnx"]["batch"]["images"]
    assert len(images) == window.record.config.batch_size and images.shape[1] == 64
    window.grab()  # painted: the strip shows as many digits as fit, with their labels
    assert view.strip.isVisible() and 1 <= view.strip.shown <= len(images)
    rows = [view.tree.topLevelItem(i).text(0) for i in range(view.tree.topLevelItemCount())]
    for row in ("batch_stats before", "dropout key after", "smoothed targets", "metrics", "params after"):
        assert row in rows
    params = view.tree.topLevelItem(rows.index("params after"))
    assert params.childCount() == 6 and not params.isExpanded()  # folded: its norm on the row
    norm = np.sqrt(sum(np.sum(a.astype(np.float64) ** 2) for a in inspection.values["nnx"]["params after"].values()))
    assert params.text(2) == f"‖·‖ {norm:.4g}"
    assert view.tree.topLevelItem(rows.index("opt_state before")).text(1) == "none (SGD)"
    targets = view.tree.topLevelItem(rows.index("smoothed targets"))
    assert targets.text(1) == targets.text(2) == "0.91 / 0.01"
    assert "0.91 for the true label, 0.01 for each other class" in targets.toolTip(2)
    view.tree.setCurrentItem(targets)
    assert "targets = smooth_labels(" in window.listings.nnx_pane.editor.textCursor().block().text()
    view.tree.setCurrentItem(view.tree.topLevelItem(rows.index("dropout key after")))
    assert "dropout_rng=next_dropout_rng" in window.listings.linen_pane.editor.textCursor().block().text()
    notes = window.listings.linen_pane.editor.notes
    loss = float(inspection.values["linen"]["loss"]["loss"])
    assert any(note.startswith(f"loss {loss:.3g}, grads ‖·‖ ") for note in notes.values())


def test_the_one_step_lesson_waits_for_a_step_then_shows_it(window, qtbot):
    assert window.open_lesson("08-one-step-slowly")
    assert window.side.currentWidget() is window.side.step_view
    qtbot.waitUntil(lambda: window.record is not None and window.record.steps_done("nnx") >= 1, timeout=RUN_TIMEOUT_MS)
    window.single_step()
    inspection = _inspected(qtbot, window)
    assert inspection.step >= 1 and "clipped gradients" in inspection.values["nnx"]
    assert "trace/kernel" in inspection.values["nnx"]["opt_state after"]


def test_the_listing_lines_show_the_values_they_computed(window, qtbot):
    window.single_step()
    inspection = _inspected(qtbot, window)
    editor = window.listings.nnx_pane.editor
    by_text = {editor.document().findBlockByNumber(line).text().strip(): note for line, note in editor.notes.items()}
    loss_line = next(text for text in by_text if "value_and_grad(loss_fn)" in text)
    loss = float(inspection.values["nnx"]["loss"]["loss"])
    assert by_text[loss_line].startswith(f"loss {loss:.3g}, grads (")
    assert any("optimizer.update(model, grads)" in text and "update (" in note for text, note in by_text.items())
    window.grab()  # painted with its notes
    window.controls.seed_spin.setValue(window.controls.seed_spin.value() + 1)  # a new run: no notes
    wait_for_run(qtbot, window)
    assert editor.notes == {} and window.listings.linen_pane.editor.notes == {}


def test_an_optimizer_state_sums_up_each_of_its_trees():
    """Adam's state: a norm for mu and one for nu; its integer count is in none of them."""
    state = {
        "count": np.int32(999),
        "mu/out/bias": np.array([3.0, 4.0], np.float32),
        "nu/out/bias": np.zeros(2, np.float32),
    }
    assert summary("opt_state after", state) == "mu ‖·‖ 5, nu ‖·‖ 0"
    assert summary("params after", {"out/kernel": np.ones((2, 2)), "out/bias": np.zeros(3)}) == "‖·‖ 2"
    assert summary("params after", {"kernel": np.float32(2.5), "bias": np.float32(-0.5)}) == "(2.5, -0.5)"


def test_the_rows_follow_each_paradigms_own_listing_beside_the_forgotten_rebind(window, qtbot):
    window.open_lesson("08-one-step-slowly")
    for _ in range(2):
        window.lessons.next_step()  # the rebind, from the inside
    qtbot.waitUntil(lambda: window.record.steps_done("nnx") > 0, timeout=RUN_TIMEOUT_MS)
    window.single_step()
    _inspected(qtbot, window)
    view = window.side.step_view
    items = [view.tree.topLevelItem(i) for i in range(view.tree.topLevelItemCount())]
    shown = [(item, [item] + [item.child(k) for k in range(item.childCount())]) for item in items]
    nnx = [item.text(0) for item, cells in shown if any(cell.text(2) for cell in cells)]
    assert nnx.index("update applied") < nnx.index("opt_state after") < nnx.index("params after")
    assert nnx.index("params after") < nnx.index("metrics")
