"""The line fit's loss as what it is: an exact quadratic in the line's two weights.

mean((x·k + b − y)²) over the batch needs only five sums of it. Past its minimum it rises by
dᵀ M d for a step d from there, M = [[mean x², mean x], [mean x, 1]]: its Hessian is 2M, its
contours are ellipses along M's eigenvectors, and plain gradient descent multiplies the error
along the steepest of them by (1 − lr·λmax) every step, λmax = 2·(M's largest eigenvalue).
The stability edge and the landscape both read it from here.
"""

import functools

import numpy as np

from app.model import tasks


class LineLoss:
    """mean((x·k + b − y)²) as a quadratic in (kernel k, bias b), in float64."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        x, y = x[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
        self.xx, self.x, self.xy, self.y, self.yy = (np.mean(v) for v in (x * x, x, x * y, y, y * y))
        curvature = np.array([[self.xx, self.x], [self.x, 1.0]])
        self.minimum = tuple(np.linalg.solve(curvature, [self.xy, self.y]))
        self._rises, self._directions = np.linalg.eigh(curvature)

    def __call__(self, k, b):
        return k * k * self.xx + 2 * k * b * self.x + b * b - 2 * k * self.xy - 2 * b * self.y + self.yy

    @property
    def hessian_max_eigenvalue(self) -> float:
        """λmax of the loss's Hessian with respect to (kernel, bias): 2·M's largest eigenvalue."""
        return float(2 * self._rises.max())

    def contour(self, rise: float, points: int = 121) -> tuple[np.ndarray, np.ndarray]:
        """The (kernel, bias) where the loss is `rise` above its minimum: an ellipse."""
        turn = np.linspace(0, 2 * np.pi, points)
        along = np.sqrt(rise / self._rises)[:, None] * np.array([np.cos(turn), np.sin(turn)])
        k, b = self._directions @ along
        return k + self.minimum[0], b + self.minimum[1]


@functools.cache
def line_loss() -> LineLoss:
    """The line fit's own batch, as a quadratic (the batch never changes: once)."""
    return LineLoss(*tasks.line_fit_batch())
