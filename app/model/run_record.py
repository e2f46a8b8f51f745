"""The record of a run: every chunk's metrics gathered into growable columns, with the queries
the window, the headless summary, the CSV, the tests and the benchmarks ask of it."""

import csv
import math

import numpy as np

from app.model.series import Series

LINE_CSV_COLUMNS = ("loss", "grad_norm", "ema_loss", "kernel", "bias", "ema_kernel", "ema_bias")
DIGITS_CSV_COLUMNS = ("loss", "grad_norm", "accuracy", "test_accuracy", "ema_test_accuracy")
TESTED = ("test_accuracy", "ema_test_accuracy")
"""Measured every few steps: NaN in between."""


class RunRecord:
    """One run of `config`, as far as it has come.

    Columns hold one value per step from step 0, as the runner computed them; a paradigm that
    diverged ends with its first non-finite step (`diverged_at`). `errors` holds what a pitfall
    that fails at once raised instead of running.
    """

    def __init__(self, config, errors: dict[str, str] | None = None, compile_seconds: float = 0.0):
        self.config = config
        self.errors = dict(errors or {})
        self.diverged_at: dict[str, int] = {}
        self.reached: dict[str, int] = {}
        """Per paradigm, the first step whose loss reached the run's target (it ended there)."""
        self.seconds = 0.0
        self.compile_seconds = compile_seconds
        self.max_gap = math.nan
        """The largest |Linen − NNX| loss at the same step so far (nan unless both run)."""
        self.shown: dict[str, dict] = {}
        """Per paradigm, what the model view shows now (the line's weights, the digits' labels)."""
        self._columns: dict[str, dict[str, Series]] = {}
        self._tested: dict[str, dict[str, Series]] = {}

    def append(self, chunk) -> None:
        """Add a runner chunk's steps (they follow the steps already recorded)."""
        for p, m in chunk.metrics.items():
            columns = self._columns.setdefault(p, {})
            for name, values in m.items():
                columns.setdefault(name, Series()).extend(values)
            columns.setdefault("step", Series()).extend(np.arange(chunk.start, chunk.start + len(m["loss"])))
            if "test_accuracy" in m:
                tested = np.isfinite(m["test_accuracy"])
                where = self._tested.setdefault(p, {})
                where.setdefault("step", Series()).extend(np.flatnonzero(tested) + chunk.start)
                for name in TESTED:
                    if name in m:
                        where.setdefault(name, Series()).extend(m[name][tested])
        self.shown.update(chunk.shown)
        self.diverged_at = dict(chunk.diverged_at)
        self.reached = dict(chunk.reached)
        self.seconds += chunk.seconds
        if "linen" in chunk.metrics and "nnx" in chunk.metrics:
            self._update_gap(chunk.end - chunk.start)

    def _update_gap(self, new_steps: int) -> None:
        a, b = self.curve("linen")[1], self.curve("nnx")[1]
        n = min(len(a), len(b))
        tail = slice(max(n - new_steps, 0), n)
        done = 0.0 if math.isnan(self.max_gap) else self.max_gap
        self.max_gap = max(done, float(np.max(np.abs(a[tail] - b[tail]), initial=0.0)))

    @property
    def paradigms(self) -> tuple[str, ...]:
        """The paradigms that ran steps, in display order."""
        return tuple(p for p in ("linen", "nnx") if p in self._columns)

    @property
    def metrics(self) -> dict[str, dict[str, np.ndarray]]:
        """Every metric of every paradigm, one value per step (views, not copies)."""
        return {p: {k: s.values for k, s in m.items() if k != "step"} for p, m in self._columns.items()}

    def steps_done(self, paradigm: str) -> int:
        columns = self._columns.get(paradigm)
        return len(columns["loss"]) if columns else 0

    def curve(self, paradigm: str, name: str = "loss") -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of a metric up to its last finite step: what a plot draws."""
        columns = self._columns.get(paradigm)
        if not columns or name not in columns:
            return np.empty(0), np.empty(0)
        n = len(columns[name]) - (paradigm in self.diverged_at)  # a diverged run ends non-finite
        return columns["step"].values[:n], columns[name].values[:n]

    def path(self, paradigm: str, ema: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The line fit's (kernel, bias) every recorded step started from, its own or its EMA
        weights'; a paradigm's own path ends with the weights it holds now, after its last step
        (unless it diverged)."""
        prefix = "ema_" if ema else ""
        k = self.curve(paradigm, prefix + "kernel")[1]
        b = self.curve(paradigm, prefix + "bias")[1]
        now = self.shown.get(paradigm) if not ema and paradigm not in self.diverged_at else None
        if now is not None and len(k):
            k = np.append(k, float(now["kernel"][0, 0]))
            b = np.append(b, float(now["bias"][0]))
        return k, b

    def tests(self, paradigm: str, name: str = "test_accuracy") -> tuple[np.ndarray, np.ndarray]:
        """(steps, accuracy) at the steps test accuracy was measured."""
        where = self._tested.get(paradigm, {})
        if name not in where:
            return np.empty(0), np.empty(0)
        return where["step"].values, where[name].values

    def first_step_at_or_below(self, loss: float) -> dict[str, int]:
        """Per paradigm, the first step whose loss was `loss` or lower (absent if none was)."""
        reached = {}
        for p in self.paradigms:
            steps, values = self.curve(p)
            hits = np.flatnonzero(values <= loss)
            if len(hits):
                reached[p] = int(steps[hits[0]])
        return reached

    def to_csv(self, file) -> int:
        """One row per paradigm per step; returns the rows written.

        Line fit: paradigm,step,loss,grad_norm,ema_loss,kernel,bias,ema_kernel,ema_bias (the
        EMA columns empty when EMA is off): the weights each row's loss was computed with, before
        that step's update, so mean((x·kernel + bias − y)²) on the batch gives the row's loss. Digits:
        paradigm,step,loss,grad_norm,accuracy,test_accuracy,ema_test_accuracy (empty between
        tests; digits has no EMA loss: its EMA weights are judged by test accuracy).
        """
        columns = DIGITS_CSV_COLUMNS if self.config.task == "digits" else LINE_CSV_COLUMNS
        writer = csv.writer(file)
        writer.writerow(["paradigm", "step", *columns])
        rows = 0
        for paradigm, m in self.metrics.items():
            for i in range(len(m["loss"])):
                writer.writerow([paradigm, i, *(_cell(m, name, i) for name in columns)])
            rows += len(m["loss"])
        return rows


def _cell(metrics, name, i) -> str:
    """A number as Python writes it; empty where the metric is off or was not measured."""
    if name not in metrics:
        return ""
    value = float(metrics[name][i])
    if math.isnan(value) and name in TESTED:
        return ""
    return repr(value) if math.isfinite(value) else str(value)
