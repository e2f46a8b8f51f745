"""The digits classifier's Linen step: BatchNorm and dropout.

The state is a TrainState with two more fields: batch_stats (BatchNorm's
running statistics) and dropout_rng (a key). Each step must
- split the dropout key, use one half for this step's dropout and keep the
  other in the new state;
- apply the model with mutable=["batch_stats"], which returns the updated
  statistics beside the logits, and keep them in the new state.
The loss is the mean softmax cross-entropy against the integer labels.
train_step returns (new_state, loss).
"""

import jax
import optax


def train_step(state, images, labels):
    def loss_fn(params):
        logits = state.apply_fn(
            {"params": params, "batch_stats": state.batch_stats},
            images,
            train=True,
            rngs={"dropout": state.dropout_rng},
            mutable=["batch_stats"],
        )[0]
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss
