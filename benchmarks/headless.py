"""Benchmark: `python -m benchmarks.headless` times the ways to run the line-fit loop, side by side.

Every way runs in this one process, interleaved over several rounds; the table shows
medians and ratios, so a noisy machine shifts all rows together.
"""

import argparse
import os
import statistics
import threading
import time

import jax
import optax
from flax import nnx

from app.model import tasks
from app.model.config import RunConfig
from app.training import runner, sweep, train_step_loss
from app.training.compiled import program
from app.training.steps import nnx_step


def seed_recipe(steps):
    """The seed as written: an un-jitted Python loop of `nnx.value_and_grad` steps."""
    x, y = tasks.line_fit_batch()
    model = nnx.Linear(1, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    for _ in range(steps):
        float(nnx_step.train_step(model, optimizer, x, y)["loss"])


def nnx_jit_loop(steps):
    """`@nnx.jit` on the step, called from a Python loop, reading each loss back."""
    x, y = tasks.line_fit_batch()
    model = nnx.Linear(1, 1, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    step = nnx.jit(nnx_step.train_step)
    for _ in range(steps):
        float(step(model, optimizer, x, y)["loss"])


def contract_calls():
    """`train_step_loss` called again and again, a new seed and learning rate every call."""
    x, y = tasks.line_fit_batch()
    calls = iter(range(10**9))

    def run(steps):
        k = next(calls)
        jax.block_until_ready(train_step_loss(k, x, y, 0.05 + 0.001 * (k % 100), steps))

    return run


def streamed(config):
    """The window's way: chunks of about one 60 Hz frame of work."""

    def run(steps):
        for _ in runner.stream(config.with_changes(steps=steps)):
            pass

    return run


def headless(config):
    """The headless way (`runner.run`): long chunks, every step's metrics gathered."""

    def run(steps):
        runner.run(config.with_changes(steps=steps))

    return run


def fused(config, steps):
    """The whole loop in one `lax.scan` of the same step: the practical limit."""
    config = config.with_changes(steps=steps)
    prog = program(config.structure)
    whole = jax.jit(
        lambda leaves: jax.lax.scan(lambda c, _: prog.step(c, *prog.data), prog.unflatten(leaves), length=steps)[1]
    )

    def run(_steps):
        jax.block_until_ready(whole(prog.init(config)))

    run(steps)  # compile outside the timing
    return run


def sweep_versus_separate_runs(rounds=5):
    """Seconds for the 64-rate sweep (vmapped, in pieces), and for the same 64 runs one by one."""
    config = RunConfig(paradigm="nnx")
    rates = sweep.learning_rates()
    sweep.sweep(config)  # compile outside the timing
    one_call, separate = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        sweep.sweep(config)
        one_call.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for lr in rates:
            runner.run(config.with_changes(lr=float(lr)))
        separate.append(time.perf_counter() - t0)
    return statistics.median(one_call), statistics.median(separate)


def cancel_latency(rounds=20):
    """Seconds from another thread asking a flat-out run to stop until the stream has returned."""
    latencies = []
    for k in range(rounds):
        stop = threading.Event()
        asked = []

        def ask(asked=asked, stop=stop):
            asked.append(time.perf_counter())
            stop.set()

        timer = threading.Timer(0.05 + 0.01 * k, ask)
        timer.start()
        for _ in runner.stream(RunConfig(steps=1_000_000), should_stop=stop.is_set):
            pass
        latencies.append(time.perf_counter() - asked[0])
    return statistics.median(latencies), max(latencies)


def digits_batches(rounds=3, steps=2000):
    """Median seconds of a headless digits run of `steps` steps (after its compile), at the
    default batch of 64 and at 256, interleaved."""
    sizes = (64, 256)
    for size in sizes:
        runner.run(RunConfig(task="digits", batch_size=size, steps=10))  # compile outside the timing
    seconds = {size: [] for size in sizes}
    for _ in range(rounds):
        for size in sizes:
            seconds[size].append(runner.run(RunConfig(task="digits", batch_size=size, steps=steps)).seconds)
    return {size: statistics.median(t) for size, t in seconds.items()}


def launches_compile_seconds():
    """`compile_seconds` of a new digits structure at a first launch and at the next one, each a
    new process sharing a fresh compile cache."""
    import os
    import re
    import subprocess
    import sys
    import tempfile

    seconds = []
    with tempfile.TemporaryDirectory() as cache_home:
        for _ in range(2):
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; from app.cli import main; sys.exit(main())",
                    "--headless",
                    "--task",
                    "digits",
                    "--steps",
                    "20",
                ],
                env={**os.environ, "XDG_CACHE_HOME": cache_home},
                capture_output=True,
                text=True,
                check=True,
            )
            seconds.append(float(re.search(r"compile_seconds=([0-9.]+)", done.stdout).group(1)))
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.headless", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150_000, help="steps for the compiled rows")
    parser.add_argument("--digits-steps", type=int, default=2_000, help="steps for the digits rows")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)

    n, d = args.steps, args.digits_steps
    line = {p: RunConfig(paradigm=p) for p in ("nnx", "linen", "both")}
    digits = RunConfig(task="digits")
    # (name, how, steps, the fused row it is compared with)
    # The headless line-fit runs are held to 0.9× the fused limit.
    rows = [
        ("seed recipe: un-jitted loop", seed_recipe, 100, None),
        ("@nnx.jit step, Python loop", nnx_jit_loop, 1500, None),
        (
            "seed contract: train_step_loss, new seed and lr each call",
            contract_calls(),
            1000,
            "fused lax.scan limit, NNX",
        ),
        ("headless run, NNX", headless(line["nnx"]), n, "fused lax.scan limit, NNX"),
        ("fused lax.scan limit, NNX", fused(line["nnx"], n), n, "fused lax.scan limit, NNX"),
        ("headless run, Linen", headless(line["linen"]), n, "fused lax.scan limit, Linen"),
        ("fused lax.scan limit, Linen", fused(line["linen"], n), n, "fused lax.scan limit, Linen"),
        ("headless run, both in one loop", headless(line["both"]), n, "fused lax.scan limit, both"),
        ("streamed in 60 Hz chunks (the window's), both", streamed(line["both"]), n, "fused lax.scan limit, both"),
        ("fused lax.scan limit, both", fused(line["both"], n), n, "fused lax.scan limit, both"),
        ("digits: headless run, both", headless(digits), d, "digits: fused lax.scan limit, both"),
        ("digits: fused lax.scan limit, both", fused(digits, d), d, "digits: fused lax.scan limit, both"),
    ]
    for _, fn, steps, _ in rows:  # warm-up: compile everything first
        fn(min(steps, 1000))
    times = {name: [] for name, *_ in rows}
    for _ in range(args.rounds):
        for name, fn, steps, _ in rows:
            t0 = time.perf_counter()
            fn(steps)
            times[name].append((time.perf_counter() - t0) / steps)

    us = {name: statistics.median(t) * 1e6 for name, t in times.items()}
    seed = us["seed recipe: un-jitted loop"]
    print(f"{jax.default_backend()} backend, median of {args.rounds} interleaved rounds; line fit unless named\n")
    print("| way to run the loop | steps | µs/step | steps/s | × seed recipe | × fused limit | target |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, _, steps, limit in rows:
        vs_seed = "—" if name.startswith("digits") else f"{seed / us[name]:,.0f}×"
        vs_limit = f"{us[limit] / us[name]:.2f}×" if limit else "—"
        target = "≥ 0.90×" if name.startswith("headless") else ""
        print(f"| {name} | {steps:,} | {us[name]:.2f} | {1e6 / us[name]:,.0f} | {vs_seed} | {vs_limit} | {target} |")
    batches = digits_batches()
    cold, warm = launches_compile_seconds()
    print("\n| figure | measured | target |")
    print("|---|---:|---:|")
    print(
        "| digits, 2,000 steps at the default settings (batch 64), after its compile, median of 3 "
        f"| {batches[64]:.2f} s | < 1.5 s |"
    )
    print(f"| the same at batch 256 | {batches[256]:.2f} s | |")
    print(f"| batch 64 against batch 256, steps per second | {batches[256] / batches[64]:.1f}× | ≥ 2× |")
    print(f"| a new digits structure at its first launch: compile | {cold:.2f} s | |")
    print(f"| the same structure at the next launch: read from the compile cache | {warm:.2f} s | no compile |")
    one_call, separate = sweep_versus_separate_runs()
    print(
        "\nlearning-rate sweep, 64 rates x 1,000 steps (NNX, SGD), median of 5: "
        "vmapped, 16 rates at a time, in pieces "
        f"{one_call * 1e3:.1f} ms, 64 separate streamed runs {separate * 1e3:.1f} ms ({separate / one_call:.0f}x)"
    )
    median, worst = cancel_latency()
    print(
        f"\ncancel latency of a flat-out 1,000,000-step run: median {median * 1e3:.1f} ms, worst {worst * 1e3:.1f} ms"
    )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from benchmarks.sweep_cancel import summary

    print(f"\n{summary()}")


if __name__ == "__main__":
    main()
