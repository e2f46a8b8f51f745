"""The training loops the listings show, as a student would write them (`jax.jit` / `nnx.jit`
around the step, a Python `for`), give the numbers of the app's compiled run, bit for bit."""

import numpy as np
import pytest

from app.model.config import RunConfig
from app.training import runner
from app.training.compiled import program
from app.training.listings import listing
from app.training.steps import digits_linen, digits_nnx, linen_step, nnx_step


@pytest.mark.parametrize(
    "config",
    [
        RunConfig(steps=300),
        RunConfig(steps=300, optimizer="momentum", clip_norm=1.0, lr=0.3),
        RunConfig(steps=300, optimizer="adam", lr=0.05),
    ],
    ids=["sgd", "momentum-clipped", "adam"],
)
def test_the_loops_as_written_match_the_apps_compiled_run(config):
    prog = program(config.structure)
    trainee, state = prog._build(prog.hyperparameters(config))
    x, y = prog.data
    nnx_losses = np.array(nnx_step.train_loop(trainee.model, trainee.optimizer, x, y, config.steps))
    _, linen_losses = linen_step.train_loop(state, x, y, config.steps)
    run = runner.run(config).metrics
    np.testing.assert_array_equal(nnx_losses, run["nnx"]["loss"])  # to the last bit
    np.testing.assert_array_equal(np.array(linen_losses), run["linen"]["loss"])


@pytest.mark.parametrize(
    "task,paradigm,jit",
    [
        ("line", "linen", "jax.jit(train_step)"),
        ("line", "nnx", "nnx.jit(train_step)"),
        ("digits", "linen", "jax.jit(advanced_train_step)"),
        ("digits", "nnx", "nnx.jit(train_step)"),
    ],
)
def test_the_listings_say_where_jit_goes(task, paradigm, jit):
    text = listing(paradigm, task).text
    assert f"step = {jit}" in text and "jax.lax.fori_loop" in text


@pytest.mark.slow  # trains the digits model
def test_the_digits_loops_as_written_match_the_apps_compiled_run():
    config = RunConfig(task="digits", steps=60, dropout=0.1)
    prog = program(config.structure)
    hyper = prog.hyperparameters(config)
    trainee, state = prog._build(hyper)
    train_x, train_y = prog.data[:2]
    batches = [prog.batch(hyper, np.int32(i), train_x, train_y) for i in range(config.steps)]
    values = (hyper["l2"], hyper["smoothing"])
    nnx_losses = digits_nnx.train_loop(trainee.model, trainee.optimizer, batches, *values)
    _, linen_losses = digits_linen.train_loop(state, batches, *values)
    run = runner.run(config).metrics
    np.testing.assert_array_equal(np.array(nnx_losses), run["nnx"]["loss"])  # to the last bit
    np.testing.assert_array_equal(np.array(linen_losses), run["linen"]["loss"])
