"""Which steps the plots show: those asked for, or, by default, as far as the loss still moves,
so the action fills the axis; and what the note above the plot says when it shows less than
the run."""

import numpy as np

from app.model.series import moving_until, nice_ceiling, trailing_mean

MIN_STEPS_SHOWN = 20
FOLLOW_MARGIN = 1.25
"""Following the action, the x-axis shows at least this many times the steps in which the loss
moves, rounded up to a round number (so it holds still while a slider moves a little)."""


def steps_to_show(record, paradigms, smoothing: int, log_y: bool, show_steps: int | None) -> tuple[int, str]:
    """The last step the x-axis shows for `record`'s loss curves of `paradigms` (their EMA
    weights' too), and the note that says so when it is less than the run (or "")."""
    total = record.config.steps
    if show_steps is not None:
        return show_steps, "" if show_steps >= total - 1 else f"steps 0–{show_steps:,} of {total:,}"
    moving, flat = 0, True
    curves = [record.curve(p, name) for p in paradigms for name in ("loss", "ema_loss")]
    for steps, loss in curves:  # the EMA weights' loss too, where it is drawn: it settles later
        if smoothing > 1:
            loss = trailing_mean(loss, smoothing)
        if log_y:
            loss = np.log10(np.maximum(loss, np.finfo(np.float64).tiny))
        if len(steps):
            n = moving_until(loss)
            moving, flat = max(moving, steps[n - 1]), flat and n < len(steps)
    end = min(max(total - 1, 1), max(MIN_STEPS_SHOWN, round(nice_ceiling(FOLLOW_MARGIN * max(moving, 1)))))
    done = record.steps_done(paradigms[0]) if paradigms else 0
    says = flat and end < total - 1 and done >= total
    return end, f"steps 0–{end:,} of {total:,}, then flat" if says else ""
