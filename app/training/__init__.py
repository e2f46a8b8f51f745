"""The training core: pure JAX, Flax and optax. Imports no Qt.

`RunConfig` loads without JAX; `train_step_loss` loads JAX on first use.
"""

from app.model.config import RunConfig

__all__ = ["RunConfig", "train_step_loss"]


def __getattr__(name):
    if name == "train_step_loss":
        from app.training.steps.recipe import train_step_loss

        return train_step_loss
    raise AttributeError(f"module 'app.training' has no attribute {name!r}")
