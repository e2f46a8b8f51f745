"""The optax transform both paradigms use, built the same way for each."""

import optax

from app.model.config import MOMENTUM, OPTIMIZERS


def make_tx(kind, learning_rate, max_norm=None):
    """SGD, SGD with momentum 0.9 or Adam, optionally behind clipping.

    `inject_hyperparams` keeps the learning rate and max norm in the
    optimizer *state*: a new value is new data, not a new compile.
    """
    if kind == "sgd":
        tx = optax.inject_hyperparams(optax.sgd)(learning_rate=learning_rate)
    elif kind == "momentum":
        tx = optax.inject_hyperparams(optax.sgd)(
            learning_rate=learning_rate, momentum=MOMENTUM
        )
    elif kind == "adam":
        tx = optax.inject_hyperparams(optax.adam)(learning_rate=learning_rate)
    else:
        raise ValueError(
            f"optimizer must be one of {OPTIMIZERS}, not {kind!r}"
        )
    if max_norm is not None:
        # Clipping is a link in the chain: it rescales the gradients
        # before the optimizer sees them.
        clip = optax.inject_hyperparams(optax.clip_by_global_norm)(
            max_norm=max_norm
        )
        tx = optax.chain(clip, tx)
    return tx
