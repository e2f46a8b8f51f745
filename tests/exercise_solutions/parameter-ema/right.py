import jax
from flax import nnx


def update_ema(ema_model, model, decay):
    ema = nnx.state(ema_model, nnx.Param)
    weights = nnx.state(model, nnx.Param)
    nnx.update(ema_model, jax.tree.map(lambda e, w: decay * e + (1 - decay) * w, ema, weights))
