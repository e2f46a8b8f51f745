"""The `python main.py …` line that reopens the window on given settings: what Edit ▸ Copy
Settings as Command copies, and `app.cli` parses back. No Qt, no JAX."""

import shlex

from app.model.settings import DISPLAY_FIELDS, RUN_FIELDS, RUN_NAMES, Settings


def command_line(settings: Settings) -> str:
    """The `python main.py` line that opens the window on `settings`: the flags of the settings
    that differ from their defaults, in the field table's order, each value exact. The line fit
    ignores the digits settings, and their flags would be refused without `--task digits`: they
    are left out. Default settings still name `--task line`, because a bare `python main.py`
    opens on the remembered settings instead."""
    words = []
    for f in RUN_FIELDS + DISPLAY_FIELDS:
        value = _value(settings, f)
        if value == _value(Settings(), f) or (f.digits_only and settings.run.task != "digits"):
            continue
        if isinstance(value, bool):
            words.append(f"--{f.flag}" if value else f"--no-{f.flag}")
        else:
            words += [f"--{f.flag}", value if isinstance(value, str) else repr(value)]
    return shlex.join(["python", "main.py", *(words or ["--task", "line"])])


def _value(settings: Settings, f) -> object:
    return getattr(settings.run if f.name in RUN_NAMES else settings, f.name)
