"""The one compiled Program of each run structure, built on first use and kept (from any thread)."""

import threading

from app.model.config import Structure
from app.training.digits_program import DigitsProgram
from app.training.programs import Program

_programs: dict[Structure, Program] = {}
_storing = threading.Lock()


def program(structure: Structure) -> Program:
    """The Program of `structure`: the digits task's or the line fit's.

    Two threads asking for a new structure at once may both build it, but only the first one
    stored is ever used (and compiled)."""
    prog = _programs.get(structure)
    if prog is None:
        new = DigitsProgram(structure) if structure.task == "digits" else Program(structure)
        with _storing:
            prog = _programs.setdefault(structure, new)
    return prog


def built(structure: Structure) -> Program | None:
    """`structure`'s program if it has been built, without building it."""
    return _programs.get(structure)


def is_compiled(structure: Structure) -> bool:
    """Whether `structure`'s program is compiled (without building it if it is not)."""
    prog = built(structure)
    return prog is not None and prog.compiled


def forget_all() -> None:
    """Drop every program: the next run of any structure traces and compiles anew."""
    with _storing:
        _programs.clear()
