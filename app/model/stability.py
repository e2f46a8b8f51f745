"""The line fit's stability edge: the learning rate past which plain gradient descent diverges.

Numpy only (the window marks the edge on its slider before JAX loads). For mean squared
error on the batch, the loss is quadratic in [kernel, bias] with Hessian (2/N) Aᵀ A,
A = [x 1], for each output. Gradient descent multiplies the error along the Hessian's top
eigenvector by (1 - lr λ_max) every step, so it converges only for lr < 2 / λ_max.
Heavy-ball momentum β moves the edge to 2 (1 + β) / λ_max. Adam rescales every step, so it
has no such edge at these rates. Clipping keeps a run past the edge finite but does not make
it converge: near the minimum the gradient is small, clipping is idle, and the same edge
applies, so a clipped run past it never settles. With momentum, clipping also lets a swing
build up that never dies down, below the edge too; `past_the_edge` says what the runs do.
"""

from app.model.config import MOMENTUM
from app.model.line_loss import line_loss


def hessian_max_eigenvalue() -> float:
    """λ_max of the line-fit loss's Hessian with respect to [kernel, bias]."""
    return line_loss().hessian_max_eigenvalue


def stability_edge(task: str, optimizer: str, clipped: bool = False) -> float | None:
    """The largest learning rate that converges, or None where no such edge applies.

    `clipped` does not move the edge; it changes what happens past it (`past_the_edge`).
    """
    if task != "line" or optimizer == "adam":
        return None
    edge = 2.0 / hessian_max_eigenvalue()
    return edge * (1 + MOMENTUM) if optimizer == "momentum" else edge


def past_the_edge(clipped: bool, optimizer: str = "sgd") -> str:
    """What a run past the edge does, unclipped or clipped (each clause checked by a test that
    runs it)."""
    if not clipped:
        return "diverges: the loss grows without bound, to inf if the run is long enough"
    if optimizer == "momentum":
        return (
            "never settles: clipping keeps it finite but lets a swing build up that never dies "
            "down (with a max norm of 1, far above the loss it started from). Below the edge "
            "too some rates are caught swinging: with a max norm of 1 from about 0.6 of the "
            "edge, with smaller ones from about half of it"
        )
    return (
        "never settles: clipping keeps it finite, bouncing above the minimum (the larger the "
        "max norm, the further above; just past the edge, only a long run shows it)"
    )
