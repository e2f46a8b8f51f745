"""The line fit's stability edge: the learning rate past which plain gradient descent diverges.

Numpy only (the window marks the edge on its slider before JAX loads). For mean squared
error on the batch, the loss is quadratic in [kernel, bias] with Hessian (2/N) Aᵀ A,
A = [x 1], for each output. Gradient descent multiplies the error along the Hessian's top
eigenvector by (1 - lr λ_max) every step, so it converges only for lr < 2 / λ_max.
Heavy-ball momentum β moves the edge to 2 (1 + β) / λ_max. Adam rescales every step and
clipping caps its length, so neither has such an edge.
"""

import functools

import numpy as np

from app.training import tasks
from app.training.config import MOMENTUM


@functools.cache
def hessian_max_eigenvalue() -> float:
    """λ_max of the line-fit loss's Hessian with respect to [kernel, bias] (the batch is fixed,
    so once: the window asks on every re-run)."""
    x, _ = tasks.line_fit_batch()
    a = np.hstack([x, np.ones_like(x)]).astype(np.float64)
    return float(np.linalg.eigvalsh(2.0 / len(a) * a.T @ a).max())


def stability_edge(task: str, optimizer: str, clipped: bool) -> float | None:
    """The largest stable learning rate, or None where no such edge applies."""
    if task != "line" or clipped or optimizer == "adam":
        return None
    edge = 2.0 / hessian_max_eigenvalue()
    return edge * (1 + MOMENTUM) if optimizer == "momentum" else edge
