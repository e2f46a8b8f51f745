"""What the banner says of a run: settings that cannot run, a divergence, a target reached, a
failure. Each sentence is built from the run it describes (tests hold each to a run)."""

from app.model.app_model import Notice
from app.model.config import NAMES
from app.model.pitfall_notes import PITFALLS


def cannot_run(problem: str) -> Notice:
    return Notice("error", f"These settings cannot run: {problem}.")


def diverged(config, diverged_at: dict[str, int]) -> Notice:
    """A divergence: the learning rate's fault, unless only the paradigm with a pitfall diverged
    while the correct step, at the same rate, did not."""
    said = f"Diverged: the loss became inf/NaN ({_where(diverged_at)}). The curve stops where it was last finite. "
    note = PITFALLS.get(config.pitfall)
    correct = [p for p in config.compiled_paradigms if p not in diverged_at]
    if note and set(diverged_at) == {note.paradigm} and correct:
        return Notice(
            "warning",
            said + f"{NAMES[correct[0]]} runs the correct step at the same learning rate and has not diverged: "
            f"the pitfall in {NAMES[note.paradigm]}, not the learning rate, is the cause.",
            offer="log_y",
        )
    return Notice(
        "warning", said + f"Try a lower learning rate than {config.lr:g}, or turn on gradient clipping.", offer="log_y"
    )


def reached(target: float, steps: dict[str, int]) -> Notice:
    return Notice("info", f"Stopped: the loss reached {target:g} ({_where(steps)}).")


def failed(message: str) -> Notice:
    return Notice("error", f"The run failed: {message}. The app is fine: change a setting or press Run to try again.")


def _where(steps: dict[str, int]) -> str:
    """'Linen and NNX at step 126', or 'Linen at step 120 and NNX at step 126'."""
    if len(set(steps.values())) == 1:
        return f"{' and '.join(NAMES[p] for p in sorted(steps))} at step {next(iter(steps.values())):,}"
    return " and ".join(f"{NAMES[p]} at step {k:,}" for p, k in sorted(steps.items()))
