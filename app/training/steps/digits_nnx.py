"""The digits classifier's NNX step: the same model and step, changed in place.

BatchNorm statistics and the dropout key stream live in the model itself.
The model trains as it is built (batch statistics, dropout on); predictions
come from `nnx.view(model, deterministic=True, use_running_average=True)`,
the same weights seen in evaluation mode. The model's own mode never
switches, so no switch back can be forgotten.
"""

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from app.training.steps.digits_loss import CLASSES, l2_penalty, smooth_labels
from app.training.steps.nnx_step import Trainee

HIDDEN = 128


class MLP(nnx.Module):
    """64 pixels -> Linear -> BatchNorm -> ReLU -> Dropout -> 10 logits."""

    def __init__(self, dropout_rate, rngs):
        self.hidden = nnx.Linear(64, HIDDEN, rngs=rngs)
        self.norm = nnx.BatchNorm(HIDDEN, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(dropout_rate, rngs=rngs)
        self.out = nnx.Linear(HIDDEN, CLASSES, rngs=rngs)

    def __call__(self, x, mask=None):
        # `mask` marks the rows of the batch that are real (the rest pad it).
        x = nnx.relu(self.norm(self.hidden(x), mask=mask))
        return self.out(self.dropout(x))


def create(rngs, dropout_rate, tx, ema=False):
    """The model, in training mode as built, and its optimizer; with EMA, a
    copy whose weights trail."""
    model = MLP(dropout_rate, rngs)
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    ema_model = nnx.clone(model) if ema else None
    return Trainee(model, optimizer, ema_model)


def loss_fn(model, batch, l2_weight, smoothing):
    """Smoothed cross-entropy plus L2 (1/2 the sum of squared params)."""
    logits = model(batch["image"], mask=batch["mask"][:, None])
    targets = smooth_labels(batch["label"], smoothing)
    data_loss = jnp.mean(
        optax.softmax_cross_entropy(logits, targets), where=batch["mask"]
    )
    l2 = l2_penalty(nnx.state(model, nnx.Param))
    return data_loss + l2_weight * l2, logits


def train_step(model, optimizer, batch, l2_weight, smoothing):
    """Forward (updating BatchNorm statistics), loss, backward, update."""
    grad_fn = nnx.value_and_grad(loss_fn, has_aux=True)
    (loss, logits), grads = grad_fn(model, batch, l2_weight, smoothing)
    optimizer.update(model, grads)  # clipping, if on, is inside the tx
    correct = jnp.argmax(logits, -1) == batch["label"]
    return {
        "loss": loss,
        "accuracy": jnp.mean(correct, where=batch["mask"]),
        "grad_norm": optax.tree.norm(grads),
    }


def train_loop(model, optimizer, batches, l2_weight, smoothing):
    """The loop as you would write it: `nnx.jit` compiles the step once.
    The app runs this same `train_step` compiled inside a
    `jax.lax.fori_loop`, in chunks streamed to the plot."""
    step = nnx.jit(train_step)
    losses = []
    for batch in batches:
        metrics = step(model, optimizer, batch, l2_weight, smoothing)
        losses.append(metrics["loss"])
    return losses


def update_ema(ema_model, model, decay):
    """Parameter EMA; each step the EMA model also takes a copy of the
    model's BatchNorm running statistics, to evaluate with."""
    ema_params = nnx.state(ema_model, nnx.Param)
    params = nnx.state(model, nnx.Param)
    new_ema = jax.tree.map(
        lambda e, p: decay * e + (1 - decay) * p, ema_params, params
    )
    nnx.update(ema_model, new_ema, nnx.state(model, nnx.BatchStat))


def train_step_with_ema(
    model, optimizer, ema_model, batch, l2, smoothing, decay
):
    """The same step, then the EMA weights trail the new weights."""
    metrics = train_step(model, optimizer, batch, l2, smoothing)
    update_ema(ema_model, model, decay)
    return metrics


def predict(model, images):
    """Labels from a view in evaluation mode: running BatchNorm statistics,
    no dropout. The model itself stays in training mode."""
    eval_model = nnx.view(model, deterministic=True, use_running_average=True)
    return jnp.argmax(eval_model(images), -1)
