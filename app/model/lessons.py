"""Lessons: a title and an ordered list of steps, each a full settings preset with a caption.

A lesson is a JSON file:

    {"title": "...", "steps": [{"title": "...", "caption": "...",
                               "settings": {"lr": 0.5, "optimizer": "momentum", ...},
                               "panel": "landscape"}]}

`settings` holds the fields of `app.model.settings.FIELDS`: the run's (anything left out takes
its default), `pace` ("instant" or "animate"), `rate` (steps per second when animating), and
how it is shown (`log_y`, `smoothing`, `stop_at`, `show_steps`). Loading checks every
step, so a bad file is refused whole with a message naming the file, the step and the problem.
`panel` (optional) names the view beside the plot the step is about: one of PANELS; `code`
(optional), a line of the listings' code the caption quotes, which the listings bring into view.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from filelock import FileLock, Timeout

from app.model.data_files import named_file, resource
from app.model.files import NotAFile, SaveError, TooLarge, read_bounded, target_of, write_bytes
from app.model.settings import Settings

MAX_FILE_BYTES = 1_000_000
LOCK_SECONDS = 10
"""How long a save waits for another window's save to the same lesson."""
LESSONS_DIR = resource("lessons")
PANELS = ("model", "landscape", "step")


class LessonError(ValueError):
    """A lesson file that cannot be used, and why."""


@dataclass(frozen=True)
class LessonStep:
    title: str
    caption: str
    settings: Settings
    panel: str | None = None  # the view beside the plot to show (see PANELS), or the one shown
    code: str | None = None  # a line of code the caption quotes: brought into view in the listings


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[LessonStep, ...]
    path: Path | None = None
    data: dict = field(default_factory=dict, compare=False, repr=False)
    """The file's JSON as read: a step is appended to it, keeping all else in the file."""


def find_lesson(name) -> Path:
    """A lesson file's path, or the built-in lesson of that file stem (`02-the-stability-edge`)."""
    path = named_file(name, built_in_lessons())
    if path is not None:
        return path
    known = ", ".join(p.stem for p in built_in_lessons())
    raise LessonError(f"{name}: no such lesson file, nor a built-in lesson of that name ({known})")


def load_lesson(path) -> Lesson:
    """Read and check a lesson file (or a built-in lesson by name); LessonError says what is
    wrong and where."""
    path = find_lesson(path)
    return _parse(path, _read(path))


def _read(path: Path) -> bytes:
    """A lesson file's bytes: a bounded read of a regular file (a device or a pipe is refused
    at once)."""
    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except OSError as error:
        raise LessonError(f"{path}: cannot be read ({error.strerror or error})") from None
    except NotAFile as error:
        raise LessonError(f"{path}: {error}, not a lesson's JSON file") from None
    except TooLarge:
        raise LessonError(f"{path}: is larger than a lesson can be ({MAX_FILE_BYTES:,} bytes at most)") from None


def _parse(path: Path, data: bytes) -> Lesson:
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError as error:
        raise LessonError(f"{path}: is not UTF-8 text ({error})") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # bad JSON, nested too deep, a number too long
        raise LessonError(f"{path}: is not valid JSON ({type(error).__name__}: {error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str) or not data["title"].strip():
        raise LessonError(f'{path}: needs a "title" (text) and a list of "steps"')
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise LessonError(f'{path}: "steps" must be a non-empty list')
    steps = []
    for number, raw in enumerate(raw_steps, start=1):
        try:
            if not isinstance(raw, dict):
                raise ValueError("must be an object with title, caption and settings")
            for key in ("title", "caption"):
                if not isinstance(raw.get(key), str) or not raw[key].strip():
                    raise ValueError(f"needs a {key!r} (text)")
            panel = raw.get("panel")
            if panel is not None and panel not in PANELS:
                raise ValueError(f"panel must be one of {', '.join(PANELS)}, not {panel!r}")
            settings = Settings.from_json(raw.get("settings", {}))
            if panel == "landscape" and settings.run.task != "line":
                raise ValueError("panel landscape shows the line fit: its settings need task line")
            code = raw.get("code")
            if code is not None and (not isinstance(code, str) or not code.strip() or "\n" in code):
                raise ValueError("code must be one line of the listings' code, as text")
            steps.append(LessonStep(raw["title"], raw["caption"], settings, panel, code))
        except (ValueError, TypeError, OverflowError) as error:
            raise LessonError(f"{path}: step {number}: {error}") from None
    return Lesson(data["title"], tuple(steps), path, data)


def append_step(path, step: LessonStep) -> Lesson:
    """Add a step to a lesson file (a new file gets a title from its name) and return the
    lesson; LessonError says why nothing changed.

    The file is read, extended and replaced whole (see `files.write_file`): a failure leaves it
    as it was. Saves to one file from several windows at once take turns (a lock kept out of
    the lesson's folder, by the file's own path, whatever link leads there), so none is lost.
    """
    path = Path(path)
    try:
        target = target_of(path)
        with FileLock(_lock_of(target), timeout=LOCK_SECONDS):
            return _append_locked(path, step)
    except Timeout:
        raise LessonError(f"{path}: another window is saving to this lesson; try again") from None
    except SaveError as error:
        raise LessonError(str(error)) from None
    except OSError as error:  # the lock itself cannot be made
        raise LessonError(f"could not write {path}: {error.strerror or error}; the file there is unchanged") from None


def _lock_of(target: Path) -> Path:
    """The lock that saves to `target` take turns on: one per file, in the user's cache folder
    (nothing is left beside the lesson)."""
    key = hashlib.sha256(str(target).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    folder = platformdirs.user_cache_path("train-step-lab", appauthor=False) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.lock"


def _append_locked(path: Path, step: LessonStep) -> Lesson:
    if path.exists():
        data = _parse(path, _read(path)).data  # a broken file is refused, never extended
    else:
        data = {"title": path.stem.replace("-", " ").replace("_", " ").capitalize(), "steps": []}
    data["steps"].append(
        {"title": step.title, "caption": step.caption, "settings": step.settings.to_json()}
        | ({"panel": step.panel} if step.panel else {})
        | ({"code": step.code} if step.code else {})
    )
    encoded = _encode(data)
    if len(encoded) > MAX_FILE_BYTES:
        raise LessonError(
            f"{path}: with this step the lesson would be {len(encoded):,} bytes, more than a lesson can be "
            f"({MAX_FILE_BYTES:,}); the file there is unchanged"
        )
    lesson = _parse(path, encoded)  # what is written opens as it is
    write_bytes(path, encoded)
    return lesson


def _encode(data) -> bytes:
    """The lesson as UTF-8 JSON: its text as written, or escaped where it cannot be UTF-8 (a
    lone surrogate, which JSON allows and a lesson may hold)."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(data, indent=2) + "\n").encode("ascii")


def built_in_lessons() -> list[Path]:
    return sorted(LESSONS_DIR.glob("*.json"))


def lesson_title(path: Path) -> str:
    """A menu entry for a lesson file: its title, or its file name if it cannot be read."""
    try:
        return load_lesson(path).title
    except LessonError:
        return path.stem
