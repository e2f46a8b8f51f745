"""The digits classifier's Linen step, after "Custom Training Loops", made
correct.

Everything that changes lives in a frozen `CustomTrainState`; the step returns
a new one. BatchNorm statistics come back from `apply` as a mutable collection,
and the dropout key is split every step, never reused.
"""

from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn

from app.training.steps.digits_loss import CLASSES, l2_penalty, smooth_labels
from app.training.steps.linen_step import EMATrainState

HIDDEN = 128


class MLP(nn.Module):
    """64 pixels -> Dense -> BatchNorm -> ReLU -> Dropout -> 10 logits."""

    dropout_rate: float

    @nn.compact
    def __call__(self, x, train, mask=None):
        x = nn.Dense(HIDDEN)(x)
        # `mask` marks the rows of the batch that are real (the rest pad it).
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(
            x, mask=mask
        )
        x = nn.relu(x)
        x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
        return nn.Dense(CLASSES)(x)


class CustomTrainState(EMATrainState):
    """The line fit's TrainState (with `ema_params` and `apply_ema`), plus
    BatchNorm statistics and a dropout key."""

    batch_stats: Any = None
    dropout_rng: jax.Array = None


def create_state(variables, dropout_rate, tx, dropout_rng, ema=False):
    """`variables` holds the model's `params` and `batch_stats`."""
    model = MLP(dropout_rate)
    params = variables["params"]
    return CustomTrainState.create(
        apply_fn=model.apply,
        params=params,
        tx=tx,
        batch_stats=variables["batch_stats"],
        dropout_rng=dropout_rng,
        ema_params=params if ema else None,
    )


def advanced_train_step(state, batch, l2_weight, smoothing):
    """One step on `batch` (image, label, mask): a NEW state and metrics."""
    dropout_rng, next_dropout_rng = jax.random.split(state.dropout_rng)

    def loss_fn(params):
        logits, updates = state.apply_fn(
            {"params": params, "batch_stats": state.batch_stats},
            batch["image"],
            train=True,
            mask=batch["mask"][:, None],
            rngs={"dropout": dropout_rng},
            mutable=["batch_stats"],
        )
        targets = smooth_labels(batch["label"], smoothing)
        data_loss = jnp.mean(
            optax.softmax_cross_entropy(logits, targets), where=batch["mask"]
        )
        loss = data_loss + l2_weight * l2_penalty(params)
        return loss, (logits, updates["batch_stats"])

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
    (loss, (logits, batch_stats)), grads = grad_fn(state.params)
    # Clipping, if on, is inside `state.tx`: see make_tx.
    state = state.apply_gradients(
        grads=grads, batch_stats=batch_stats, dropout_rng=next_dropout_rng
    )
    correct = jnp.argmax(logits, -1) == batch["label"]
    metrics = {
        "loss": loss,
        "accuracy": jnp.mean(correct, where=batch["mask"]),
        "grad_norm": optax.tree.norm(grads),
    }
    return state, metrics


def train_loop(state, batches, l2_weight, smoothing):
    """The loop as you would write it: `jax.jit` compiles the step once.
    The app runs this same `advanced_train_step` compiled inside a
    `jax.lax.fori_loop`, in chunks streamed to the plot."""
    step = jax.jit(advanced_train_step)
    losses = []
    for batch in batches:
        state, metrics = step(state, batch, l2_weight, smoothing)
        losses.append(metrics["loss"])
    return state, losses


def advanced_train_step_with_ema(state, batch, l2_weight, smoothing, decay):
    """The same step, then the EMA weights trail the new weights."""
    state, metrics = advanced_train_step(state, batch, l2_weight, smoothing)
    return state.apply_ema(decay), metrics


def predict(state, images, params):
    """Eval mode: running BatchNorm statistics, no dropout."""
    variables = {"params": params, "batch_stats": state.batch_stats}
    return jnp.argmax(state.apply_fn(variables, images, train=False), -1)
