"""A growable float buffer (appends amortised O(1), reads are views), and the numpy helpers the
plots draw with: the points of a long curve worth drawing, and a trailing mean."""

import numpy as np


class Series:
    """Preallocated storage that doubles when full (as pyqtgraph's streaming examples do)."""

    def __init__(self, capacity: int = 4096):
        self._data = np.empty(capacity, np.float64)
        self._size = 0

    def __len__(self):
        return self._size

    def clear(self):
        self._size = 0

    def extend(self, values: np.ndarray):
        n = len(values)
        if self._size + n > len(self._data):
            grown = np.empty(max(2 * len(self._data), self._size + n), np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : self._size + n] = values
        self._size += n

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._size]


def visible_peaks(x: np.ndarray, y: np.ndarray, x_min: float, x_max: float, max_points: int):
    """The points of a curve (x ascending) worth drawing between x_min and x_max.

    Beyond `max_points` visible points, each bucket of consecutive steps is drawn as its
    minimum and maximum, so spikes survive and the drawing costs the same at step 1,000 as at
    step 1,000,000 (the peak downsampling pyqtgraph does, in one vectorised pass).
    """
    start = max(int(np.searchsorted(x, x_min)) - 1, 0)
    stop = min(int(np.searchsorted(x, x_max, side="right")) + 1, len(x))
    x, y = x[start:stop], y[start:stop]
    if len(x) <= max_points:
        return x, y
    size = -(-len(x) // (max_points // 2))
    whole = len(x) // size * size
    buckets = y[:whole].reshape(-1, size)
    peaks = np.stack([buckets.min(axis=1), buckets.max(axis=1)], axis=1).ravel()
    steps = np.repeat(x[:whole:size], 2)
    return np.concatenate([steps, x[whole:]]), np.concatenate([peaks, y[whole:]])


def trailing_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Each value replaced by the mean of it and the `window - 1` before it (fewer at the start)."""
    if window <= 1 or len(values) == 0:
        return values
    sums = np.cumsum(np.concatenate([[0.0], values]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


MOVING_SHARE = 0.02
"""A curve still moves while it is further than this share of its range from where it ends."""


def moving_until(values: np.ndarray, share: float = MOVING_SHARE) -> int:
    """How many of `values` it takes to come within `share` of their range of the last value:
    past that the curve is flat, so an axis that shows the action can stop there. A curve still
    moving at its end needs all its values."""
    if len(values) < 2:
        return len(values)
    span = values.max() - values.min()
    far = np.flatnonzero(np.abs(values - values[-1]) > share * span)
    return int(far[-1]) + 2 if len(far) else 1


NICE_STEPS = (1, 1.5, 2, 3, 5, 7.5)


def nice_ceiling(x: float) -> float:
    """The least of 1, 1.5, 2, 3, 5, 7.5 times a power of ten that is at least `x` (> 0): an
    axis that ends there stays put while a setting moves a little."""
    power = 10.0 ** np.floor(np.log10(x))
    return next(float(m * power) for m in (*NICE_STEPS, 10) if m * power >= x * (1 - 1e-12))
