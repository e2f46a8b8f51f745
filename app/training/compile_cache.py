"""JAX's persistent compilation cache, in the user's cache folder: a run structure compiled once
is read back at the next launch instead of compiled again (how long each takes is in
docs/performance.md).

`TRAIN_STEP_LAB_COMPILE_CACHE=0` (or `--no-compile-cache`) turns it off.
"""

import os
from pathlib import Path

import platformdirs

MAX_BYTES = 256 * 2**20
"""The cache's bound: beyond it JAX drops the programs used least recently."""
MIN_COMPILE_SECONDS = 0.1
"""A program that compiles faster than this is not worth a file."""
SWITCH = "TRAIN_STEP_LAB_COMPILE_CACHE"


def folder() -> Path:
    """Where the compiled programs are kept: the user's cache folder for the app."""
    return platformdirs.user_cache_path("train-step-lab", appauthor=False) / "compiled"


def enable() -> Path | None:
    """Turn the cache on in `folder()` before the first compile, unless `SWITCH` says "0".
    Returns the folder in use, or None (off, or a folder that cannot be made: then every
    structure compiles as it would without the cache)."""
    import jax  # here, not at the top: the command line reads `SWITCH` without loading JAX

    if os.environ.get(SWITCH, "1") == "0":
        jax.config.update("jax_enable_compilation_cache", False)
        return None
    path = folder()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        jax.config.update("jax_enable_compilation_cache", False)
        return None
    jax.config.update("jax_enable_compilation_cache", True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    jax.config.update("jax_compilation_cache_max_size", MAX_BYTES)
    return path
