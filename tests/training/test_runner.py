"""The streamed runner: compiles once per structure, is deterministic, stops when told."""

import itertools

import numpy as np
import pytest

from app.model import tasks
from app.model.config import RunConfig
from app.training import compiled, programs, runner


def test_values_never_recompile_only_structures_do():
    compiled.forget_all()
    structures = [RunConfig(), RunConfig(optimizer="adam", ema_decay=0.9, clip_norm=1.0, paradigm="nnx")]
    rng = np.random.default_rng(0)
    for base in structures:
        for _ in range(20):
            changes = {
                "seed": int(rng.integers(0, 1000)),
                "lr": float(10 ** rng.uniform(-3, -0.5)),
                "steps": int(rng.integers(1, 3000)),
            }
            if base.ema_decay:
                changes |= {"ema_decay": float(rng.uniform(0.9, 0.999)), "clip_norm": float(rng.uniform(0.1, 10))}
            config = base.with_changes(**changes)
            result = runner.run(config)
            assert all(len(m["loss"]) == config.steps for m in result.metrics.values())
    for base in structures:
        assert compiled.program(base.structure).traces == {"init": 1, "chunk": 1}


def test_same_config_same_numbers():
    config = RunConfig(seed=11, lr=0.2, steps=700, optimizer="momentum", ema_decay=0.95)
    a, b = runner.run(config).metrics, runner.run(config).metrics
    for p in a:
        for k in a[p]:
            np.testing.assert_array_equal(a[p][k], b[p][k])


def test_seed_and_learning_rate_change_the_curve():
    base = runner.run(RunConfig(seed=0, steps=50)).metrics["nnx"]["loss"]
    other_seed = runner.run(RunConfig(seed=1, steps=50)).metrics["nnx"]["loss"]
    other_lr = runner.run(RunConfig(seed=0, lr=0.3, steps=50)).metrics["nnx"]["loss"]
    assert base[0] != other_seed[0]
    assert base[0] == other_lr[0] and base[-1] != other_lr[-1]


def test_chunks_cover_the_run_in_order():
    config = RunConfig(steps=100_000, paradigm="linen")
    chunks = list(runner.stream(config))
    assert chunks[0].start == 0 and chunks[-1].end == config.steps
    assert all(a.end == b.start for a, b in itertools.pairwise(chunks))
    sizes = {c.end - c.start for c in chunks[:-1]}
    assert all(s & (s - 1) == 0 and s <= programs.CAPACITY for s in sizes)  # powers of two


def test_chunk_size_aims_at_one_frame():
    for seconds_per_step in (1e-7, 1e-6, 3e-5, 1e-3, 1.0):
        n = runner.chunk_steps(seconds_per_step)
        assert n & (n - 1) == 0  # a power of two
        if 1 < n < programs.CAPACITY:  # within a factor sqrt(2) of one frame of work
            assert 0.7 < n * seconds_per_step / runner.FRAME_SECONDS < 1.42
    assert runner.chunk_steps(1.0) == 1 and runner.chunk_steps(1e-9) == programs.CAPACITY


def test_a_time_per_step_measured_on_a_busy_machine_is_corrected_by_the_next_chunk_however_short(monkeypatch):
    """A slow first measure (a compile at start-up, beside the window's own) would otherwise split
    every short run into several chunks for good."""
    config = RunConfig(steps=1000)
    prog = compiled.program(config.structure)
    prog.compile(config)
    monkeypatch.setattr(prog, "seconds_per_step", 1e-3)  # sixteen steps a chunk
    first = runner.Run(config).advance()
    assert first.end == runner.chunk_steps(1e-3) == 16
    assert prog.seconds_per_step == pytest.approx(first.seconds / 16) and prog.seconds_per_step < 1e-3
    assert runner.Run(config).advance().end > 16  # the next run's chunks are longer at once


def test_stop_ends_the_stream_before_the_next_chunk():
    chunks = []
    for chunk in runner.stream(RunConfig(steps=1_000_000), should_stop=lambda: len(chunks) == 3, max_chunk_steps=256):
        chunks.append(chunk)
    assert len(chunks) == 3 and chunks[-1].end == 768


@pytest.mark.parametrize("optimizer,lr", [("sgd", 5.0), ("momentum", 5.0)])
def test_divergence_ends_cleanly_at_the_step_it_happened(optimizer, lr):
    config = RunConfig(lr=lr, steps=10_000, optimizer=optimizer)
    result = runner.run(config)
    for paradigm in config.paradigms:
        loss = result.metrics[paradigm]["loss"]
        k = result.diverged_at[paradigm]
        assert len(loss) == k + 1 < config.steps
        assert np.all(np.isfinite(loss[:k])) and not np.isfinite(loss[k])


def test_steps_cap_and_validation_messages():
    with pytest.raises(ValueError, match="steps"):
        RunConfig(steps=1_000_001)
    with pytest.raises(ValueError, match="lr"):
        RunConfig(lr=float("nan"))
    with pytest.raises(ValueError, match="ema_decay"):
        RunConfig(ema_decay=1.0)
    with pytest.raises(ValueError, match="clip_norm"):
        RunConfig(clip_norm=0.0)
    with pytest.raises(ValueError, match="optimizer"):
        RunConfig(optimizer="rmsprop")
    with pytest.raises(ValueError, match="seed"):
        RunConfig(seed=-1)


def test_chunk_weights_reach_the_least_squares_line():
    from app.model import tasks

    x, y = tasks.line_fit_batch()
    design = np.hstack([x, np.ones_like(x)])
    (slope, intercept), *_ = np.linalg.lstsq(design, y[:, 0], rcond=None)
    *_, last = runner.stream(RunConfig(lr=0.5, steps=3000))
    for paradigm in ("linen", "nnx"):
        w = last.shown[paradigm]
        assert w["kernel"].shape == (1, 1) and w["bias"].shape == (1,)
        np.testing.assert_allclose([w["kernel"][0, 0], w["bias"][0]], [slope, intercept], rtol=1e-4)


def test_a_run_advances_one_step_at_a_time():
    run = runner.Run(RunConfig(steps=3, paradigm="nnx"))
    sizes = []
    while not run.finished:
        chunk = run.advance(1)
        sizes.append((chunk.start, chunk.end, len(chunk.metrics["nnx"]["loss"])))
    assert sizes == [(0, 1, 1), (1, 2, 1), (2, 3, 1)]


@pytest.mark.parametrize("field,value", [("lr", 1e30), ("lr", 1e-31), ("clip_norm", 2e6), ("clip_norm", 1e-40)])
def test_values_float32_cannot_carry_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        RunConfig(**{field: value})


def test_a_diverged_chunk_carries_the_weights_its_diverging_step_started_from():
    config = RunConfig(lr=5.0, steps=1000, paradigm="nnx")
    chunks = list(runner.stream(config, max_chunk_steps=256))
    k = chunks[-1].diverged_at["nnx"]
    w = chunks[-1].shown["nnx"]
    kernel, bias = float(w["kernel"][0, 0]), float(w["bias"][0])
    assert np.isfinite(kernel) and np.isfinite(bias)
    x, y = tasks.line_fit_batch()
    loss = np.mean((x.astype(np.float64) * kernel + bias - y) ** 2)
    recorded = chunks[-1].metrics["nnx"]["loss"]
    assert not np.isfinite(recorded[-1]) and len(recorded) == k - chunks[-1].start + 1
    assert not np.isfinite(np.float32(loss)) or loss > 1e30  # the weights of the step whose loss blew up
    previous = runner.run(config.with_changes(steps=k)).metrics["nnx"]["loss"][-1]
    assert np.isfinite(previous) and previous < loss


def test_a_first_chunk_is_sized_to_its_steps_work(monkeypatch):
    """A digits step costs hundreds of line-fit steps: its first chunk is that much shorter, so
    the first steps show within a few frames instead of after a thousand steps."""
    monkeypatch.setattr(compiled, "_programs", {})  # new programs: their first chunks follow the probe
    line = next(runner.stream(RunConfig(steps=5000)))
    digits = next(runner.stream(RunConfig(task="digits", steps=5000)))
    assert line.end >= 256
    assert digits.end <= 256 and line.end >= 4 * digits.end


@pytest.mark.parametrize(
    "changes", [{"ema_decay": 0.95}, {"optimizer": "adam", "clip_norm": 0.5}, {"optimizer": "momentum"}]
)
def test_how_a_run_is_chunked_never_changes_a_bit(changes):
    """Instant, Animate, single steps and headless runs cut a run differently: every step is the
    same compiled step whatever the cut, so every number is the same to the last bit."""
    config = RunConfig(steps=600, lr=0.3, **changes)

    def metrics(max_chunk_steps):
        chunks = list(runner.stream(config, max_chunk_steps=max_chunk_steps))
        return {
            (p, k): np.concatenate([c.metrics[p][k] for c in chunks])
            for p in config.paradigms
            for k in chunks[0].metrics[p]
        }

    whole = runner.run(config).metrics
    for cut in (None, 7, 1):
        for (p, k), values in metrics(cut).items():
            np.testing.assert_array_equal(values, whole[p][k])
