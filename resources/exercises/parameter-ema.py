"""Parameter EMA: a copy of the weights that trails the trained ones.

update_ema(ema_model, model, decay) moves every weight of `ema_model`
(1 - decay) of the way towards the same weight of `model`:
    ema = decay * ema + (1 - decay) * weight
Read the weights with nnx.state(model, nnx.Param) and write them back with
nnx.update(ema_model, new_state). Not optax.ema: that transform averages the
updates, not the weights.
"""

import jax
from flax import nnx


def update_ema(ema_model, model, decay): ...  # your code
