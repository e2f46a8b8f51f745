"""The curve buffers and the points worth drawing from them."""

import numpy as np
import pytest

from app.model.config import RunConfig
from app.model.series import Series, visible_peaks


def test_series_grows_past_its_capacity_and_keeps_every_value():
    series = Series(capacity=4)
    for start in range(0, 30, 3):
        series.extend(np.arange(start, start + 3))
    np.testing.assert_array_equal(series.values, np.arange(30))
    series.clear()
    assert len(series) == 0


def test_few_points_are_drawn_as_they_are_with_a_neighbour_each_side():
    x = np.arange(100.0)
    y = x**2
    xs, ys = visible_peaks(x, y, 10.0, 20.0, max_points=1000)
    np.testing.assert_array_equal(xs, np.arange(9, 22))
    np.testing.assert_array_equal(ys, xs**2)


def test_many_points_keep_each_buckets_extremes_and_the_spikes():
    rng = np.random.default_rng(0)
    x = np.arange(300_001.0)
    y = rng.normal(size=x.size)
    y[123_457] = 50.0  # a spike a plain stride would skip
    xs, ys = visible_peaks(x, y, 0.0, 300_000.0, max_points=2000)
    assert len(xs) <= 2000 + 300_001 // 1000
    assert np.all(np.diff(xs) >= 0)
    assert ys.max() == 50.0 and ys.min() == y.min()
    assert xs[-1] == 300_000.0  # the newest step is always drawn


def test_nice_ceiling_rounds_up_to_a_round_number():
    from app.model.series import nice_ceiling

    assert [nice_ceiling(x) for x in (1, 1.2, 52.5, 99, 100, 101, 740)] == [1, 1.5, 75, 100, 100, 150, 750]
    assert nice_ceiling(0.0031) == pytest.approx(0.005)


def test_the_steps_shown_follow_the_ema_weights_loss_too():
    from app.model.series import moving_until
    from app.model.shown_steps import steps_to_show
    from app.training import runner

    record = runner.run(RunConfig(ema_decay=0.99))
    end, note = steps_to_show(record, ("linen", "nnx"), 1, False, None)
    ema_moving = moving_until(record.curve("nnx", "ema_loss")[1])
    loss_moving = moving_until(record.curve("nnx")[1])
    assert ema_moving > loss_moving and end >= ema_moving - 1  # the EMA curve still falls where the loss is flat
    assert note == "" or f"steps 0–{end:,} of 1,000" in note
