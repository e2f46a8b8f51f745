"""Each pitfall's adapter: how the runner runs its faulty code, with one signature for all.

A pitfall whose code runs has a `step(trained, x, y, tx) -> (trained, metrics)` that takes the
place of its paradigm's train step for one step (`trained` is the Linen TrainState, or the NNX
`Trainee`). A pitfall whose code fails at once has a `fails(config) -> str` that runs it for
real and returns what it raised. What each pitfall is, and which settings it needs, is in
`pitfall_notes` (no JAX there: the window reads it before JAX loads).
"""

from collections.abc import Callable
from dataclasses import dataclass

from flax import nnx

from app.model import tasks
from app.training.steps import linen_step, pitfalls
from app.training.steps.optimizers import make_tx


@dataclass(frozen=True)
class Adapter:
    step: Callable | None = None
    fails: Callable | None = None


def _forgotten_rebind(state, x, y, tx):
    return pitfalls.forgotten_rebind(state, x, y)


def _optimizer_in_loop(trainee, x, y, tx):
    return trainee, pitfalls.optimizer_in_loop(trainee.model, tx, x, y)


def _outer_scope_model(trainee, x, y, tx):
    return trainee, pitfalls.outer_scope_train_step(trainee.model, trainee.optimizer, x, y)


def _run_for_real(config, faulty) -> str:
    """Build the line fit's model and transform as the listings do, run `faulty` on them, and
    return what it raised."""
    x, y = tasks.line_fit_batch()
    model = nnx.Linear(x.shape[-1], y.shape[-1], rngs=nnx.Rngs(config.seed))
    tx = make_tx(config.optimizer, config.lr, config.clip_norm)
    try:
        faulty(model, tx, x, y)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "it ran without an error"


def _clip_update_misuse(config) -> str:
    def faulty(model, tx, x, y):
        params = {"kernel": model.kernel[...], "bias": model.bias[...]}
        pitfalls.clip_update_misuse(linen_step.create_state(params, y.shape[-1], tx), x, y)

    return _run_for_real(config, faulty)


def _missing_wrt(config) -> str:
    return _run_for_real(config, lambda model, tx, x, y: pitfalls.missing_wrt(model, tx))


ADAPTERS = {
    "forgotten-rebind": Adapter(step=_forgotten_rebind),
    "optimizer-in-loop": Adapter(step=_optimizer_in_loop),
    "clip-update-misuse": Adapter(fails=_clip_update_misuse),
    "missing-wrt": Adapter(fails=_missing_wrt),
    "outer-scope-model": Adapter(step=_outer_scope_model),
}
