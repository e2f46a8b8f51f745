"""Each value the step inspector shows lands on the line that computes it, found from the syntax
tree: checked against the statement expected, for every task, paradigm and pitfall."""

import pytest

from app.model.pitfall_notes import PITFALLS
from app.training.listing_lines import value_lines
from app.training.listings import listing

LINE_FIT = {
    "linen": {
        "batch": "def train_step(state, x, y):",
        "loss": "loss, grads = jax.value_and_grad(loss_fn)(",
        "gradients": "loss, grads = jax.value_and_grad(loss_fn)(",
        "gradient norm": "grad_norm = optax.tree.norm(grads)",
        "clipped gradients": "tx = optax.chain(clip, tx)",
        "opt_state before": "state = state.apply_gradients(grads=grads)",
        "update applied": "state = state.apply_gradients(grads=grads)",
        "params after": "state = state.apply_gradients(grads=grads)",
        "metrics": 'return state, {"loss": loss, "grad_norm": grad_norm}',
        "EMA params before": "ema_loss = loss_fn(state.ema_params, state.apply_fn, x, y)",
        "EMA params after": "state = state.apply_ema(decay)",
        "the state object": "state = state.apply_gradients(grads=grads)",
    },
    "nnx": {
        "batch": "def train_step(model, optimizer, x, y):",
        "loss": "loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)",
        "gradient norm": "grad_norm = optax.tree.norm(grads)",
        "clipped gradients": "tx = optax.chain(clip, tx)",
        "opt_state before": "optimizer.update(model, grads)",
        "update applied": "optimizer.update(model, grads)",
        "params after": "optimizer.update(model, grads)",
        "metrics": 'return {"loss": loss, "grad_norm": grad_norm}',
        "EMA params before": "ema_loss = loss_fn(ema_model, x, y)",
        "EMA params after": "update_ema(ema_model, model, decay)",
    },
}
DIGITS = {
    "linen": {
        "batch": "def advanced_train_step(state, batch, l2_weight, smoothing):",
        "batch_stats before": '{"params": params, "batch_stats": state.batch_stats},',
        "dropout key before": "dropout_rng, next_dropout_rng = jax.random.split(state.dropout_rng)",
        "smoothed targets": 'targets = smooth_labels(batch["label"], smoothing)',
        "loss": "(loss, (logits, batch_stats)), grads = grad_fn(state.params)",
        "gradient norm": '"grad_norm": optax.tree.norm(grads),',
        "update applied": "state = state.apply_gradients(",
        "batch_stats after": "grads=grads, batch_stats=batch_stats, dropout_rng=next_dropout_rng",
        "dropout key after": "grads=grads, batch_stats=batch_stats, dropout_rng=next_dropout_rng",
        "metrics": "metrics = {",
        "EMA params before": "def advanced_train_step_with_ema(state, batch, l2_weight, smoothing, decay):",
        "EMA params after": "return state.apply_ema(decay), metrics",
    },
    "nnx": {
        "batch": "def train_step(model, optimizer, batch, l2_weight, smoothing):",
        "batch_stats before": "x = nnx.relu(self.norm(self.hidden(x), mask=mask))",
        "dropout key before": "return self.out(self.dropout(x))",
        "smoothed targets": 'targets = smooth_labels(batch["label"], smoothing)',
        "loss": "(loss, logits), grads = grad_fn(model, batch, l2_weight, smoothing)",
        "update applied": "optimizer.update(model, grads)",
        "batch_stats after": 'logits = model(batch["image"], mask=batch["mask"][:, None])',
        "metrics": "return {",
        "EMA params after": "update_ema(ema_model, model, decay)",
    },
}
PITFALL_LINES = {
    ("forgotten-rebind", "linen"): {
        "params after": "_, metrics = train_step(state, x, y)  # BUG: `state` is not rebound",
        "the state object": "_, metrics = train_step(state, x, y)  # BUG: `state` is not rebound",
        "update thrown away": "state = state.apply_gradients(grads=grads)",
        "opt_state thrown away": "state = state.apply_gradients(grads=grads)",
    },
    ("optimizer-in-loop", "nnx"): {
        "params before": "def optimizer_in_loop(model, tx, x, y):",
        "opt_state before": "optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)  # BUG: a fresh state",
        "update applied": "optimizer.update(model, grads)",
    },
    ("outer-scope-model", "nnx"): {
        "params before": "def outer_scope_train_step(model, optimizer, x, y):",
        "loss": "loss, grads = nnx.value_and_grad(loss_fn)(model)",
        "gradient norm": 'return {"loss": loss, "grad_norm": optax.tree.norm(grads)}',
        "update applied": "optimizer.update(model, grads)",
    },
    ("clip-update-misuse", "linen"): {"update applied": "return state.apply_gradients(grads=grads)"},
}


def _statement(shown, line: int) -> str:
    """The line's code, without its comment unless the comment is what marks it."""
    text = shown.text.splitlines()[line].strip()
    return text if "# BUG" in text else text.split("  #")[0]


def _cases():
    for task, table in (("line", LINE_FIT), ("digits", DIGITS)):
        for paradigm, expected in table.items():
            yield pytest.param(task, paradigm, None, expected, id=f"{task}-{paradigm}")
    for (pitfall, paradigm), expected in PITFALL_LINES.items():
        yield pytest.param("line", paradigm, pitfall, expected, id=f"{pitfall}-{paradigm}")


@pytest.mark.parametrize("task,paradigm,pitfall,expected", _cases())
def test_each_value_lands_on_the_statement_that_computes_it(task, paradigm, pitfall, expected):
    shown = listing(paradigm, task, pitfall)
    found = {name: _statement(shown, shown.value_lines[name]) for name in expected}
    assert found == expected


@pytest.mark.parametrize(
    "pitfall,paradigm", [(name, "nnx" if note.paradigm == "linen" else "linen") for name, note in PITFALLS.items()]
)
def test_a_pitfall_in_the_other_paradigm_leaves_the_lines_as_they_are(pitfall, paradigm):
    task = PITFALLS[pitfall].task
    assert listing(paradigm, task, pitfall).value_lines == listing(paradigm, task).value_lines


def test_a_pitfall_outside_the_step_leaves_each_value_on_the_steps_own_statement():
    correct, faulty = listing("nnx", "digits"), listing("nnx", "digits", "forgotten-eval")
    assert faulty.value_lines.keys() == correct.value_lines.keys()
    for name in correct.value_lines:
        assert _statement(faulty, faulty.value_lines[name]) == _statement(correct, correct.value_lines[name]), name


def test_a_renamed_variable_loses_its_line_rather_than_landing_on_another():
    text = "def train_step(state, x, y):\n    loss, gradients = f(state)\n    grads = g(loss)\n"
    lines = value_lines(text, "linen", None, frozenset())
    assert "loss" not in lines and lines["batch"] == 0  # `loss, grads` is assigned nowhere now


def test_every_value_of_either_task_has_its_listing_line():
    from app.training.step_inspector import ROWS

    digits_only = {
        "batch_stats before",
        "batch_stats after",
        "dropout key before",
        "dropout key after",
        "smoothed targets",
    }
    pitfall_only = {"update thrown away", "opt_state thrown away"}
    for task in ("line", "digits"):
        for p in ("linen", "nnx"):
            shown = listing(p, task)
            for name in (*ROWS, "the state object"):
                if name in pitfall_only or (task == "line" and name in digits_only):
                    continue
                assert name in shown.value_lines, (task, p, name)
    rebind = listing("linen", "line", "forgotten-rebind")
    for name in pitfall_only:  # the new state's parts, made where the step makes it
        assert "state.apply_gradients(" in rebind.text.splitlines()[rebind.value_lines[name]]
