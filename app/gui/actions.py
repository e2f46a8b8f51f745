"""Every command of the window in one table: the menus, the keyboard shortcuts and Help ▸
Keyboard Shortcuts all come from it.

Bare keys (R, Space, S, Esc, P, W, C, D, L, I) act only when the focused control does not want the key: Space
on a focused checkbox toggles the checkbox, a letter typed in a box goes into the box. Page
Up/Down (a presenter's clicker) and the Ctrl shortcuts work wherever the focus is.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from app.gui import dialogs
from app.model.exercises import built_in_exercises, exercise_title
from app.model.lessons import built_in_lessons, lesson_title


@dataclass(frozen=True)
class Command:
    menu: str  # the menu it sits in; "" for a key with no menu entry
    text: str
    call: Callable  # call(window), or call(window, checked) for a checkable command
    keys: tuple[str, ...] = ()
    help: str = ""  # what Help ▸ Keyboard Shortcuts says it does; "" to leave it out
    bare: bool = False  # a bare key: only when the focused control does not take it
    checkable: bool = False


COMMANDS = (
    Command("&File", "Open Lesson…", dialogs.open_lesson, ("Ctrl+O",)),
    Command("&File", "Save Settings as Lesson Step…", dialogs.save_step),
    Command("&File", "Open Exercise…", dialogs.open_exercise),
    Command("&File", "Close Exercise", lambda w: w.close_exercise()),
    Command("&File", "Export Plot as PNG…", lambda w: dialogs.export(w, "png")),
    Command("&File", "Export Plot as SVG…", lambda w: dialogs.export(w, "svg")),
    Command("&File", "Export Run as CSV…", lambda w: dialogs.export(w, "csv")),
    Command("&File", "Export Run as Notebook…", lambda w: dialogs.export(w, "run")),
    Command("&File", "Export Lesson as Notebook…", lambda w: dialogs.export(w, "lesson")),
    Command("&File", "Quit", lambda w: w.close(), ("Ctrl+Q",)),
    Command("&Edit", "Copy Listings", dialogs.copy_listings),
    Command("&Edit", "Copy Settings as Command", dialogs.copy_command),
    Command("&View", "Bigger Text", lambda w: w.zoom(+1), ("Ctrl+=", "Ctrl++"), "Bigger text"),
    Command("&View", "Smaller Text", lambda w: w.zoom(-1), ("Ctrl+-",), "Smaller text"),
    Command("&View", "Normal Text", lambda w: w.zoom(0), ("Ctrl+0",), "Normal text"),
    Command(
        "&View",
        "Controls",
        lambda w, on: w.frame.controls_column.setVisible(on),
        ("Ctrl+B",),
        "Show or hide the controls",
        checkable=True,
    ),
    Command(
        "&View",
        "Presentation",
        lambda w: w.presentation.toggle(),
        ("F5",),
        "Presentation: the plot and the step, large (Esc leaves)",
    ),
    Command(
        "&View",
        "Full Screen",
        lambda w: w.showNormal() if w.isFullScreen() else w.showFullScreen(),
        ("F11",),
        "Full screen",
    ),
    Command(
        "&View",
        "Dark Theme",
        lambda w, dark: w.set_look(replace(w.look, theme="dark" if dark else "light")),
        checkable=True,
    ),
    Command("&View", "Reset Everything to Defaults", lambda w: w.reset_everything()),
    Command("&Help", "Keyboard Shortcuts", lambda w: show_shortcuts(w)),
    Command("", "Run", lambda w: w.runs.rerun(), ("R",), "Run the current settings again", bare=True),
    Command("", "Pause", lambda w: w.controls.pause_button.click(), ("Space",), "Pause or resume", bare=True),
    Command("", "Step", lambda w: w.single_step(), ("S",), "One step (pauses)", bare=True),
    Command("", "Stop", lambda w: w.stop_or_leave(), ("Esc",), "Stop (in presentation: leave it)", bare=True),
    Command("", "Pin", lambda w: w.pin(), ("P",), "Pin the current curve", bare=True),
    Command("", "Sweep", lambda w: w.sweeps.start(), ("W",), "Sweep the learning rate", bare=True),
    Command(
        "",
        "Code beside",
        lambda w: w.model.show_panel("code"),
        ("C",),
        "Presentation: the code beside the plot",
        bare=True,
    ),
    Command(
        "",
        "Data beside",
        lambda w: w.model.show_panel("model"),
        ("D",),
        "Beside the plot: the data and the model's fit",
        bare=True,
    ),
    Command(
        "",
        "Landscape beside",
        lambda w: w.model.show_panel("landscape"),
        ("L",),
        "Beside the plot: the loss landscape",
        bare=True,
    ),
    Command(
        "",
        "Step panel beside",
        lambda w: w.model.show_panel("step"),
        ("I",),
        "Beside the plot: the Step panel",
        bare=True,
    ),
    Command("", "Next lesson step", lambda w: w.lessons.next_step(), ("PgDown",), "Next lesson step"),
    Command("", "Previous lesson step", lambda w: w.lessons.previous_step(), ("PgUp",), "Previous lesson step"),
)
BARE_KEYS = {QKeySequence(c.keys[0])[0].key(): c.call for c in COMMANDS if c.bare}
"""Qt key of each bare key, and what it calls."""


def build_commands(window) -> tuple[dict[str, QAction], QMenu]:
    """The window's menus and shortcuts from COMMANDS; returns each command's QAction by text,
    and File ▸ Lessons."""
    menus, actions = {}, {}
    for command in COMMANDS:
        if command.bare:
            continue
        action = QAction(command.text, window, checkable=command.checkable)
        action.setShortcuts([QKeySequence(k) for k in command.keys])
        if command.checkable:
            action.toggled.connect(functools.partial(command.call, window))
        else:
            action.triggered.connect(functools.partial(_call, command.call, window))
        if command.menu:
            if command.menu not in menus:
                menus[command.menu] = window.menuBar().addMenu(command.menu)
            menus[command.menu].addAction(action)
        window.addAction(action)  # its keys work with the menu bar hidden (presentation) too
        actions[command.text] = action
    lessons = QMenu("Lessons", window)  # the built-in lessons, under Open Lesson…
    menus["&File"].insertMenu(actions["Save Settings as Lesson Step…"], lessons)
    for number, path in enumerate(built_in_lessons(), 1):
        lessons.addAction(f"&{number}  {lesson_title(path)}", functools.partial(_open_lesson, window, path))
    exercises = QMenu("Exercises", window)  # the built-in exercises, under Open Exercise…
    menus["&File"].insertMenu(actions["Close Exercise"], exercises)
    for number, path in enumerate(built_in_exercises(), 1):
        exercises.addAction(f"&{number}  {exercise_title(path)}", functools.partial(_open_exercise, window, path))
    return actions, lessons


def _open_lesson(window, path, _checked=False):
    window.open_lesson(path)


def _open_exercise(window, path, _checked=False):
    window.open_exercise(path)


def show_shortcuts(window):
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>&nbsp;&nbsp;{what}</td></tr>" for keys, what in shortcut_rows())
    QMessageBox.information(window, "Keyboard Shortcuts", f"<table>{rows}</table>")


def _call(call, window, _checked=False):
    call(window)


def shortcut_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for Help ▸ Keyboard Shortcuts."""
    return [(" / ".join(c.keys), c.help) for c in COMMANDS if c.help]
