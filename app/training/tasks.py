"""The data each task trains on. Fixed and deterministic: the run's seed only seeds the model."""

import numpy as np

LINE_POINTS = 64
LINE_SLOPE = 2.0
LINE_INTERCEPT = -0.5
LINE_NOISE = 0.1


def line_fit_batch() -> tuple[np.ndarray, np.ndarray]:
    """The line-fit batch: 64 points, x uniform in [-1, 1], y = 2x - 0.5 plus a little noise.

    Returns float32 arrays x of shape (64, 1) and y of shape (64, 1).
    """
    rng = np.random.default_rng(20240607)
    x = rng.uniform(-1.0, 1.0, size=(LINE_POINTS, 1))
    y = LINE_SLOPE * x + LINE_INTERCEPT + LINE_NOISE * rng.standard_normal((LINE_POINTS, 1))
    return x.astype(np.float32), y.astype(np.float32)
