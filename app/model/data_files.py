"""Where the data the app ships lives, found through `importlib.resources`.

An installed wheel carries `resources/` inside the package (`app/resources/`); a source
checkout or an editable install keeps it at the repository's top level, beside `app/`.
"""

import functools
from importlib.resources import files
from pathlib import Path


@functools.cache
def resources_dir() -> Path:
    """The folder that holds `digits.npz` and `lessons/`."""
    package = Path(str(files("app")))
    inside = package / "resources"
    return inside if inside.is_dir() else package.parent / "resources"


def resource(*parts: str) -> Path:
    """A shipped file, e.g. `resource("lessons", "01-the-seed-recipe.json")`."""
    return resources_dir().joinpath(*parts)


def named_file(name, built_ins: list[Path]) -> Path | None:
    """A file's path as given (if it names a file, a .json, or a folder: reading it says what is
    wrong), or the built-in file whose stem or name it is, or None."""
    path = Path(name)
    if path.is_file() or path.suffix == ".json" or len(path.parts) > 1:
        return path
    return next((b for b in built_ins if str(name) in (b.stem, b.name)), None)
