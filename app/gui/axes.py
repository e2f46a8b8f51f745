"""Plot axes whose log-scale tick labels never print over each other.

pyqtgraph's AxisItem labels every tick of a log axis, 2..9 × 10^k as well as the decades: on a short
axis, or one spanning less than a decade, labels such as 0.008 / 0.009 / 0.01 overprint each other.
`ReadableAxis` picks, from the axis's length in pixels and its tick font, the densest of these that
leaves a gap between every two labels:

1. the ticks whose mantissa is 1, 2 or 5 (0.01, 0.02, 0.05, 0.1, ...);
2. the decades only;
3. every n-th decade (n = 2, 3, 4, 5, 6, 10, 20, 30, 50, 100, ...).

An axis spanning less than a decade gets evenly spaced values instead (0.008, 0.009, 0.01) where
they show more labels than 1/2/5: in each decade it covers, as many as pyqtgraph would put on a linear
axis, shared out by length, and fit, with the decades between (0.6, 0.8, 1, 1.5, 2).
The other ticks of a decade stay as unlabelled ticks (grid lines) where they are at least a few
pixels apart. Labels are plain decimals from 0.001 to below 10000 ("0.001", "0.02", "500") and
short scientific notation outside ("1e-5", "2e6").

In linear mode the axis is pyqtgraph's AxisItem wherever its labels have room; on an axis too
short for them (a gradient-norm plot 40 px tall) the labelled spacing is widened, 1, 2 or 5 ×
10^k, until every two labels have a gap between them, and the finer ticks stay unlabelled.

Use it in place of the default axes, set before the plot's log mode (an axis set later starts in
linear mode: call its `setLogMode` too), and before the axes are styled (the default axes' fonts,
pens, labels and widths stay with them)::

    plot = pg.PlotWidget(axisItems=readable_axes())        # or {"left": ReadableAxis("left"), ...}
    plot.getPlotItem().setAxisItems(readable_axes())       # an existing plot
    plot.setLogMode(x=True, y=True)
"""

from itertools import pairwise
from math import ceil, floor, isfinite, log10, sqrt

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF, QGuiApplication

LABEL_MANTISSAS = (1, 2, 5)  # the ticks of a decade labelled when there is room
ALL_MANTISSAS = tuple(range(1, 10))
NICE = (1, 2, 5)  # steps of the evenly spaced labels of an axis shorter than a decade: 1, 2 or 5 × 10^k
MIN_TICK_PX = 5.0  # unlabelled ticks no closer than this
# A label reaching this far past the axis's ends is surely hidden by pyqtgraph (its axis length in
# pixels differs from the length generateDrawSpecs passes to tickValues by 2 px).
SURELY_HIDDEN_PX = 4.0


def readable_number(x: float) -> str:
    """`x` with the fewest significant digits that give it back: "0.001", "0.0085", "500" from
    0.001 to below 10000 (as pyqtgraph's linear axis), "1e-5", "2.5e-5", "2e6", "1e4" outside."""
    if x == 0 or not isfinite(x):
        return f"{x:g}"
    for digits in range(1, 18):
        short = float(f"{x:.{digits}g}")
        if abs(short - x) <= 1e-9 * abs(x):
            break
    if 1e-3 <= abs(short) < 1e4:
        return np.format_float_positional(short, trim="-")
    mantissa, exponent = f"{short:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def log_label(v: float, scale: float = 1.0) -> str:
    """The readable number 10^v × scale, also beyond the range of floats ("1e400")."""
    if scale > 0:
        v += log10(scale)
    if -300 < v < 300:
        return readable_number(10.0**v)
    exponent = floor(v + 1e-9)
    mantissa = readable_number(10.0 ** (v - exponent))
    if mantissa == "10":
        mantissa, exponent = "1", exponent + 1
    return f"{mantissa}e{exponent}"


def readable_axes(sides=("left", "bottom")) -> dict:
    """New `ReadableAxis` items for a PlotItem's `axisItems`, one per side."""
    return {side: ReadableAxis(side) for side in sides}


class ReadableAxis(pg.AxisItem):
    """A pyqtgraph AxisItem whose log-mode labels never overlap (see the module's docstring)."""

    label_gap = 0.5  # the least free space between two labels, in line heights of the tick font

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        """Level 0: the labelled ticks; level 1 (unless maxTickLevel is 0): unlabelled ticks,
        spacing None. Values are log10 of the tick values, as pyqtgraph's; `stdTicks` (and so
        setTickSpacing) is not used. setTicks still works: it bypasses tickValues."""
        lo, hi = sorted((minVal, maxVal))
        if not (isfinite(lo) and isfinite(hi) and hi > lo and size > 0):
            return [(None, [])]
        layout = _Layout(self, lo, hi, size)
        labels, minor = layout.choose()
        spacing = (hi - lo) / max(1, len(labels) - 1)  # the mean distance, in decades; not used
        levels = [(spacing, labels)]
        if self.style["maxTickLevel"] >= 1 and minor:
            levels.append((None, minor))
        return levels

    def tickValues(self, minVal, maxVal, size):
        """pyqtgraph's ticks, on a linear axis too short for their labels widened (see the
        module's docstring): the labelled level 1, 2 or 5 × 10^k apart, or one value near the
        middle when no two fit; pyqtgraph's ticks between them stay, unlabelled."""
        levels = super().tickValues(minVal, maxVal, size)
        if self.logMode or self._tickSpacing is not None or not levels or size <= 0 or maxVal == minVal:
            return levels
        lo, hi = sorted((minVal, maxVal))
        px = size / (hi - lo)
        spacing = levels[0][0]
        if spacing * px >= self._label_room(self._ticks(lo, hi, spacing), spacing):
            return levels
        while spacing * px < self._label_room(self._ticks(lo, hi, spacing), spacing):
            spacing = _next_nice(spacing)
        labelled = [v for v in self._ticks(lo, hi, spacing) if self._shows(v, lo, size, px, spacing)]
        if not labelled:  # the one value nearest the middle whose label shows whole
            spacing = levels[0][0]
            middle = (lo + hi) / 2
            while spacing < hi - lo:
                shown = [v for v in self._ticks(lo, hi, spacing) if self._shows(v, lo, size, px, spacing)]
                labelled = sorted(shown, key=lambda v: abs(v - middle))[:1] or labelled
                spacing = _next_nice(spacing)
            spacing = levels[0][0]
        rest = [v for _, values in levels for v in values if all(abs(v - t) > 1e-9 * spacing for t in labelled)]
        return [(spacing, labelled), (_Unlabelled(levels[-1][0]), sorted(rest))]

    def tickStrings(self, values, scale, spacing):
        if isinstance(spacing, _Unlabelled):
            return [None] * len(values)
        return super().tickStrings(values, scale, spacing)

    @staticmethod
    def _ticks(lo, hi, spacing) -> list[float]:
        first, last = ceil(lo / spacing - 1e-9), floor(hi / spacing + 1e-9)
        return [k * spacing for k in range(first, last + 1)]

    def _extent(self, value, spacing) -> float:
        """The label's length along the axis, in pixels (pyqtgraph's box is 0.8 line high)."""
        metrics = QFontMetricsF(self.tick_font())
        if self.orientation in ("left", "right"):
            return 0.8 * metrics.height()
        (text,) = super().tickStrings([value], self.autoSIPrefixScale * self.scale, spacing)
        return metrics.horizontalAdvance(text)

    def _label_room(self, ticks, spacing) -> float:
        """The pixels two neighbouring labels need between their centres."""
        gap = self.label_gap * QFontMetricsF(self.tick_font()).height()
        return max((self._extent(v, spacing) for v in ticks[:1] + ticks[-1:]), default=0.0) + gap

    def _shows(self, value, lo, size, px, spacing) -> bool:
        """Whether the label lies whole on the axis (pyqtgraph hides those past its ends)."""
        half = self._extent(value, spacing) / 2
        return half <= (value - lo) * px <= size - half

    def logTickStrings(self, values, scale, spacing):
        """The readable numbers of level 0; None (no label) for the unlabelled level."""
        if spacing is None:
            return [None] * len(values)
        return [log_label(v, scale) for v in values]

    def tick_font(self):
        return self.style["tickFont"] or QGuiApplication.font()


def _next_nice(spacing: float) -> float:
    """The next spacing up in 1, 2, 5 × 10^k."""
    exponent = floor(log10(spacing) + 1e-9)
    mantissa = spacing / 10.0**exponent
    following = next((m for m in (2, 5, 10) if m > mantissa * (1 + 1e-9)), 20)
    return following * 10.0**exponent


class _Unlabelled(float):
    """The spacing of a level of ticks drawn without labels."""


class _Layout:
    """Choosing the labels of one log axis: `lo`..`hi` (log10 of the values) over `size` pixels."""

    def __init__(self, axis: ReadableAxis, lo: float, hi: float, size: float):
        self.axis, self.lo, self.hi, self.size = axis, lo, hi, size
        self.span = hi - lo
        self.decade_px = size / self.span
        self.scale = axis.autoSIPrefixScale * axis.scale  # as generateDrawSpecs passes it to tickStrings
        metrics = QFontMetricsF(axis.tick_font())
        self.horizontal = axis.orientation in ("top", "bottom")
        self.metrics = metrics
        self.line = metrics.height()
        self.gap = axis.label_gap * self.line
        self.least = min(metrics.horizontalAdvance(c) for c in "0123456789") if self.horizontal else self.line
        hide = axis.style["hideOverlappingLabels"]
        # How far pyqtgraph lets a label reach past the axis's ends before it hides it (at most:
        # with a grid it hides a vertical axis's labels at its very ends).
        self.margin = 0 if hide is True else 15 if hide is False else int(hide)
        self.eps = 1e-9 * max(1.0, abs(lo), abs(hi))

    # -- candidates: sorted positions (log10 values) inside lo..hi

    def too_many(self, count: float) -> bool:
        """Whether `count` labels cannot fit whatever they say (two of them may be hidden at the ends)."""
        return count > 3 and (count - 3) * (self.least + self.gap) > self.size + 2 * self.margin

    def mantissa_ticks(self, mantissas) -> list[float]:
        return [
            e + log10(m)
            for e in range(floor(self.lo), ceil(self.hi) + 1)
            for m in mantissas
            if self.lo - self.eps <= e + log10(m) <= self.hi + self.eps
        ]

    def decade_ticks(self, n: int, phase: int = 0) -> list[float]:
        first = ceil((ceil(self.lo - self.eps) - phase) / n) * n + phase
        return [float(e) for e in range(first, floor(self.hi + self.eps) + 1, n)]

    def linear_ticks(self, mantissa: int, exponent: int, lo: float, hi: float) -> list[float]:
        step = mantissa * 10.0**exponent
        first = max(1, ceil(10.0**lo / step * (1 - 1e-9)))
        last = floor(10.0**hi / step * (1 + 1e-9))
        return [
            log10(k * mantissa) + exponent
            for k in range(first, last + 1)
            if lo - self.eps <= log10(k * mantissa) + exponent <= hi + self.eps
        ]

    # -- measuring

    def px(self, v: float) -> float:
        return (v - self.lo) * self.decade_px

    def extents(self, ticks) -> list[float]:
        """Each label's length along the axis, in pixels."""
        if not self.horizontal:
            return [self.line] * len(ticks)
        return [self.metrics.horizontalAdvance(s) for s in self.axis.logTickStrings(ticks, self.scale, 1.0)]

    def past_the_ends(self, v: float, extent: float) -> float:
        """How far (pixels) a label reaches past what pyqtgraph lets it (<= 0: not past)."""
        half = (extent if self.horizontal else 0.8 * extent) / 2  # pyqtgraph's label box is 0.8 line high
        return max(-self.margin - (self.px(v) - half), self.px(v) + half - self.size - self.margin)

    def fits(self, ticks) -> bool:
        """Whether every two neighbouring labels that may be drawn have `gap` pixels between them.
        A label reaching well past an end is not: pyqtgraph hides it."""
        if len(ticks) <= 1:
            return True
        if self.too_many(len(ticks)):
            return False
        extents = zip(ticks, self.extents(ticks), strict=False)
        drawn = [(self.px(v), s) for v, s in extents if self.past_the_ends(v, s) <= SURELY_HIDDEN_PX]
        return all(b - a >= (sa + sb) / 2 + self.gap for (a, sa), (b, sb) in pairwise(drawn))

    def shown(self, ticks) -> int:
        """How many labels pyqtgraph will draw."""
        return sum(self.past_the_ends(v, s) <= 0 for v, s in zip(ticks, self.extents(ticks), strict=False))

    # -- choosing

    def choose(self) -> tuple[list[float], list[float]]:
        """The labelled ticks and the unlabelled ones."""
        labels, kind = self.log_labels()
        if self.span < 1 and -300 < self.lo and self.hi < 300:
            linear = self.linear_labels()
            if linear is not None and self.shown(linear[0]) > self.shown(labels):
                labels, kind = linear
        minor = [v for v in self.minor_ticks(kind) if not any(abs(v - t) <= self.eps for t in labels)]
        return labels, minor

    def decade_steps(self):
        yield from (1, 2, 3, 4, 5, 6)
        power = 10
        while True:
            for m in (1, 2, 3, 5):
                yield m * power
            power *= 10

    def log_labels(self):
        """The 1/2/5 ticks, else the decades, else every n-th decade: the first that fits."""
        if not self.too_many(len(LABEL_MANTISSAS) * (self.span - 1)):
            ticks = self.mantissa_ticks(LABEL_MANTISSAS)
            if self.fits(ticks):
                return ticks, ("mantissas", LABEL_MANTISSAS)
        for n in self.decade_steps():
            if self.too_many(self.span / n - 1):
                continue
            ticks = self.decade_ticks(n)
            if not self.fits(ticks):
                continue
            if n > 1 and self.shown(ticks) < 2:
                # Multiples of n have their end labels cut off: another phase may show two.
                for phase in range(1, n):
                    other = self.decade_ticks(n, phase)
                    if self.shown(other) >= 2 and self.fits(other):
                        return other, ("decades", n, phase)
            return ticks, ("decades", n, 0)

    def linear_labels(self):
        """Evenly spaced values in each decade of the range (cut at the decades inside it), with
        those decades; None when a stretch without a decade has none."""
        cuts = [self.lo, *[d for d in self.decade_ticks(1) if self.lo + self.eps < d < self.hi - self.eps], self.hi]
        parts = [self.linear_part(lo, hi) for lo, hi in pairwise(cuts)]
        if None in parts:
            return None
        ticks = sorted({v for part, _ in parts for v in part})  # neighbouring parts share their decade
        return (ticks, ("linear", [step for _, step in parts])) if self.fits(ticks) else None

    def linear_part(self, lo: float, hi: float):
        """Evenly spaced values (1, 2 or 5 × 10^k apart) in lo..hi, and the decades at its ends, as
        dense as pyqtgraph's linear axis puts them over the whole axis, shared out by length, or
        sparser until they fit (down to the decades, or one value); None when none is in range."""
        a, b = 10.0**lo, 10.0**hi
        decades = [float(round(v)) for v in (lo, hi) if abs(v - round(v)) <= self.eps]
        density = getattr(self.axis, "_tickDensity", 1.0)  # setTickDensity's
        intervals = max(2.25, 2.25 * density * sqrt(self.size / 300.0)) * (hi - lo) / self.span
        exponent = floor(log10((b - a) / intervals))
        index = max(i for i, m in enumerate(NICE) if m * 10.0**exponent <= (b - a) / intervals * (1 + 1e-9))
        for _ in range(12):
            mantissa = NICE[index]
            if not self.too_many((b - a) / (mantissa * 10.0**exponent) - 1):
                ticks = sorted(
                    decades
                    + [
                        v
                        for v in self.linear_ticks(mantissa, exponent, lo, hi)
                        if all(abs(v - d) > self.eps for d in decades)
                    ]
                )
                if not ticks:
                    return None
                if self.fits(ticks):
                    return ticks, (lo, hi, mantissa, exponent)
            index += 1
            if index == len(NICE):
                index, exponent = 0, exponent + 1
        return None

    def sparse_enough(self, ticks) -> bool:
        return all(self.px(b) - self.px(a) >= MIN_TICK_PX for a, b in pairwise(ticks))

    def minor_ticks(self, kind) -> list[float]:
        """Unlabelled ticks between the labels, no closer than MIN_TICK_PX: the other mantissas of
        each decade, the decades between every n-th, or a finer step of the even spacing."""
        if kind[0] == "mantissas" or kind[1:] == (1, 0):
            for mantissas in (ALL_MANTISSAS, LABEL_MANTISSAS):
                closest = min(log10(b / a) for a, b in pairwise((*mantissas, 10)))
                if self.decade_px * closest >= MIN_TICK_PX:
                    return self.mantissa_ticks(mantissas)
            return []
        if kind[0] == "decades":
            n, phase = kind[1], kind[2]
            k = min(k for k in range(1, n + 1) if n % k == 0 and (k * self.decade_px >= MIN_TICK_PX or k == n))
            return self.decade_ticks(k, phase % k) if k < n else []
        return [v for part in kind[1] for v in self.linear_minor_ticks(*part)]

    def linear_minor_ticks(self, lo: float, hi: float, mantissa: int, exponent: int) -> list[float]:
        steps = [
            (m, e)
            for e in (exponent - 1, exponent)
            for m in NICE  # finest first
            if m * 10**e < mantissa * 10**exponent and mantissa * 10 ** (exponent - e) % m == 0
        ]
        for m, e in steps:
            if (10.0**hi - 10.0**lo) / (m * 10.0**e) > (hi - lo) * self.decade_px / MIN_TICK_PX + 1:
                continue
            ticks = self.linear_ticks(m, e, lo, hi)
            if self.sparse_enough(ticks):
                return ticks
        return []
