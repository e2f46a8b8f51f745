"""A growable float buffer: appends are amortised O(1), reads are views, nothing is copied per frame."""

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
