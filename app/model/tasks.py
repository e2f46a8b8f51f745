"""The data each task trains on, fixed and deterministic: the line fit's 64 points and the
digits' train/test split never change with the run's seed (which draws the model's weights,
and for digits each step's minibatch and dropout keys)."""

import functools

import numpy as np

from app.model.data_files import resource

DIGITS_FILE = resource("digits.npz")
DIGITS_TEST = 360
DIGITS_GRID = 32
"""The first test digits, whose predicted labels the model view shows."""

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


@functools.cache
def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8x8 digits, split once with a fixed seed: 1,437 to train on, 360 to test.

    Returns float32 images flattened to 64 pixels scaled to [0, 1] and int32 labels:
    (train_x, train_y, test_x, test_y).
    """
    with np.load(DIGITS_FILE) as data:
        images, labels = data["images"], data["labels"]
    x = (images.reshape(len(images), -1) / 16.0).astype(np.float32)
    y = labels.astype(np.int32)
    order = np.random.default_rng(20240607).permutation(len(x))
    test, train = order[:DIGITS_TEST], order[DIGITS_TEST:]
    return x[train], y[train], x[test], y[test]
