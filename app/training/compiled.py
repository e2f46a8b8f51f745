"""The one compiled Program of each run structure, built on first use and kept."""

import functools

from app.training.config import Structure
from app.training.digits_program import DigitsProgram
from app.training.programs import Program


@functools.cache
def program(structure: Structure) -> Program:
    """The Program of `structure`: the digits task's or the line fit's."""
    return DigitsProgram(structure) if structure.task == "digits" else Program(structure)
