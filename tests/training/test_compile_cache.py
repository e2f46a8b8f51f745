"""Compiled steps are kept between launches, in the user's cache folder, and can be turned off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the whole program in processes of its own

ROOT = Path(__file__).resolve().parents[2]


def _headless(cache_home, *flags, env=None):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), **(env or {})}
    done = subprocess.run(
        [sys.executable, "main.py", "--headless", "--steps", "10", *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def _kept(cache_home) -> set[str]:
    """The run programs kept (the small init program may or may not take long enough to keep)."""
    folder = Path(cache_home) / "train-step-lab" / "compiled"
    return {p.name for p in folder.glob("jit__chunk_fn-*-cache")} if folder.exists() else set()


def test_a_structure_compiled_once_is_kept_and_read_back(tmp_path):
    _headless(tmp_path)
    first = _kept(tmp_path)
    assert first  # the run's compiled program was written
    _headless(tmp_path)
    assert _kept(tmp_path) == first  # read back: nothing compiled anew
    _headless(tmp_path, "--optimizer", "adam")
    assert _kept(tmp_path) > first  # a new structure adds its own


def test_the_cache_can_be_turned_off(tmp_path):
    _headless(tmp_path, "--no-compile-cache")
    _headless(tmp_path, env={"TRAIN_STEP_LAB_COMPILE_CACHE": "0"})
    assert _kept(tmp_path) == set()


def test_a_cache_folder_that_cannot_be_made_is_no_failure(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = _headless(blocker)  # the cache would go inside a file: it cannot
    assert "final_loss=" in done.stdout


def test_the_cache_is_in_the_user_cache_folder_and_bounded(monkeypatch, tmp_path):
    import jax

    from app.training import compile_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compile_cache.enable() == tmp_path / "train-step-lab" / "compiled"
    assert jax.config.values["jax_compilation_cache_max_size"] == compile_cache.MAX_BYTES
    assert jax.config.values["jax_compilation_cache_dir"] == str(tmp_path / "train-step-lab" / "compiled")
