"""What the window changes by itself when a choice needs it, why, and how it is undone.

Choosing a pitfall turns parameter EMA off (pitfalls run without it) and gives the pitfall the
setting its lesson needs, if that setting is at its default (momentum for a rebuilt optimizer,
clipping for the tutorial's clip call, dropout 0.5 for the forgotten eval mode), and takes
the window to the pitfall's task. Choosing another task puts aside a pitfall of the task left.
Each change is said, and undone when the choice that made it is: the settings it touched come
back as they were, unless the user has changed them since.
"""

from dataclasses import dataclass, field

from app.model.pitfall_notes import PITFALLS, TASK_NAMES
from app.model.settings import Settings

DEFAULTS = {"optimizer": "sgd", "clip_norm": None, "dropout": 0.1}
"""A setting a pitfall needs is given only while it is at this value: a choice the user made
stands."""


@dataclass(frozen=True)
class Adjustment:
    trigger: tuple[str, object]  # (field, value) of the choice that made it
    before: dict = field(default_factory=dict)  # what it changed, as it was
    after: dict = field(default_factory=dict)  # and as it set it
    said: str = ""  # why, when it was made
    undone: str = ""  # what is said when it is undone


def adjust(old: Settings, new: Settings, standing: tuple[Adjustment, ...]):
    """`new`, as a user's edit of `old` made it, with what the window changes by itself.

    Returns (the settings to use, the adjustments that stand now, what to say of this change:
    a sentence or "")."""
    said, kept = [], []
    name, task = new.run.pitfall, new.run.task
    if name is not None and task != old.run.task and task != PITFALLS[name].task:
        home = TASK_NAMES[PITFALLS[name].task]
        kept.append(
            Adjustment(
                ("task", task),
                {"pitfall": name},
                {"pitfall": None},
                f"Pitfall {name} runs on the {home}: it is off for the {TASK_NAMES[task]} "
                f"and comes back with the {home}.",
                f"Pitfall {name} is back with the {home}.",
            )
        )
        new = new.with_changes(pitfall=None)
        said.append(kept[-1].said)
    for adjustment in standing:
        if _value(new, adjustment.trigger[0]) == adjustment.trigger[1]:
            kept.append(adjustment)
            continue
        back = {k: v for k, v in adjustment.before.items() if _value(new, k) == adjustment.after[k]}
        if back:
            new = new.with_changes(**back)
            said.append(adjustment.undone)
    pitfall = new.run.pitfall
    if pitfall is not None and pitfall != old.run.pitfall and not any(a.trigger == ("pitfall", pitfall) for a in kept):
        made = _for_pitfall(new, pitfall)
        if made.before:
            new = new.with_changes(**made.after)
            kept.append(made)
            said.append(made.said)
    return new, tuple(kept), " ".join(said)


def _for_pitfall(settings: Settings, pitfall: str) -> Adjustment:
    before, after, why = {}, {}, []
    if settings.run.ema_decay is not None:
        before["ema_decay"], after["ema_decay"] = settings.run.ema_decay, None
        why.append("Parameter EMA is off: the pitfalls run without it.")
    home = PITFALLS[pitfall].task
    if settings.run.task != home:
        before["task"], after["task"] = settings.run.task, home
        why.append(f"Switched to the {TASK_NAMES[home]}: pitfall {pitfall} is in its code.")
    needs = PITFALLS[pitfall].needs
    if needs and _value(settings, needs[0]) == DEFAULTS[needs[0]]:
        setting, value, reason = needs
        before[setting], after[setting] = _value(settings, setting), value
        why.append(reason)
    undone = ", ".join(_said(k, v) for k, v in before.items())
    return Adjustment(
        ("pitfall", pitfall),
        before,
        after,
        " ".join(why) + (" Leaving the pitfall puts it back." if before else ""),
        f"Back as before pitfall {pitfall}: {undone}.",
    )


def _said(name: str, value) -> str:
    """A setting as the controls show it: 'parameter EMA on (0.99)', 'clipping off', 'SGD'."""
    if name == "optimizer":
        return {"sgd": "plain SGD", "momentum": "SGD + momentum 0.9", "adam": "Adam"}[value]
    if name == "task":
        return f"the {TASK_NAMES[value]}"
    if name == "dropout":
        return f"dropout {value:g}"
    what = {"ema_decay": "parameter EMA", "clip_norm": "clipping"}[name]
    return f"{what} off" if value is None else f"{what} on ({value:g})"


def _value(settings: Settings, name: str):
    return getattr(settings.run, name) if hasattr(settings.run, name) else getattr(settings, name)
