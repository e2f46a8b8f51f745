"""Files are written whole or not at all, and read with a bound: nothing is ever lost."""

import errno
import os
import stat
import subprocess
import sys
import threading

import pytest

from app.model import files
from app.model.files import SaveError, read_bounded, target_of, write_bytes, write_file


def _disk_full(*_args):
    raise OSError(errno.ENOSPC, "No space left on device")


def _left_over(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_a_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    assert write_file(path, lambda f: f.write("a,b\n1,2\n")) == path
    assert path.read_text() == "a,b\n1,2\n" and _left_over(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "write"])
def test_a_full_disk_leaves_the_old_file_and_no_partial_one(tmp_path, monkeypatch, failing):
    path = tmp_path / "loss.png"
    path.write_bytes(b"the picture before" * 200)

    def write(f):
        f.write(b"x" * 65_536)
        if failing == "write":
            _disk_full()

    if failing == "fsync":
        monkeypatch.setattr(files, "_flush_to_disk", _disk_full)

    with pytest.raises(
        SaveError, match=r"could not write .*loss\.png: No space left on device; the file there is unchanged"
    ):
        write_file(path, write, binary=True)
    assert path.read_bytes() == b"the picture before" * 200
    assert _left_over(tmp_path) == []


def test_a_failed_new_file_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_flush_to_disk", _disk_full)
    with pytest.raises(SaveError, match="nothing was written"):
        write_bytes(tmp_path / "new.svg", b"<svg/>")
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_a_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "run.csv"
    path.write_text("old")

    def interrupted(f):
        f.write("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_file(path, interrupted)
    assert path.read_text() == "old" and _left_over(tmp_path) == []


def test_a_size_known_ahead_is_checked_against_the_room_on_the_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(files.shutil, "disk_usage", lambda _: _Usage(free=10))
    with pytest.raises(SaveError, match="needs 11 bytes and the disk has 10 free"):
        write_bytes(tmp_path / "a.png", b"x" * 11)
    assert list(tmp_path.iterdir()) == []


class _Usage:
    def __init__(self, free):
        self.free = free


def test_the_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "shared.json"
    path.write_text("{}")
    path.chmod(0o640)
    write_bytes(path, b"[]")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symbolic_link_keeps_pointing_at_the_file_it_names(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_bytes(link, b"new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize(
    "name,problem",
    [
        ("folder", "is a folder"),
        ("/dev/null", "is not a regular file"),
        ("missing/x.csv", "does not exist"),
        ("", "no file name"),
    ],
)
def test_what_cannot_be_a_file_is_refused_before_writing(tmp_path, name, problem):
    (tmp_path / "folder").mkdir()
    path = name if name in ("", "/dev/null") else tmp_path / name
    with pytest.raises(SaveError, match=problem):
        write_bytes(path, b"data")


def test_the_file_this_process_prints_to_is_never_replaced(tmp_path):
    out = tmp_path / "printed.txt"
    code = (
        "import sys; from app.model.files import target_of, SaveError\n"
        "print('summary', flush=True)\n"
        "try: target_of('/dev/stdout')\n"
        "except SaveError as e: print(e, file=sys.stderr)\n"
    )
    with out.open("w") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", code], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert "is where this program's own output goes" in done.stderr
    assert out.read_text() == "summary\n"


def test_a_bounded_read_takes_a_regular_file_up_to_its_limit(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(ValueError, match="larger than 99 bytes"):
        read_bounded(path, 99)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_device_or_a_pipe_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    for path in ("/dev/zero", fifo, tmp_path):
        result = []
        reader = threading.Thread(target=lambda p=path, r=result: r.append(_refusal(p)), daemon=True)
        reader.start()
        reader.join(timeout=10)  # a pipe with no writer would block here for ever
        assert result == ["is not a regular file (a folder, a device or a pipe)"], path


def _refusal(path):
    try:
        read_bounded(path, 1_000_000)
    except ValueError as error:
        return str(error)
    return None


def test_target_of_names_the_file_a_write_replaces(tmp_path):
    assert target_of(tmp_path / "a.csv") == tmp_path / "a.csv"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_device_is_written_to_as_it_is_when_streaming_is_asked_for(tmp_path):
    write_file("/dev/null", lambda f: f.write("a,b\n"), stream=True)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    read = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_text()), daemon=True)
    reader.start()
    write_file(fifo, lambda f: f.write("a,b\n1,2\n"), stream=True)
    reader.join(timeout=10)
    assert read == ["a,b\n1,2\n"] and fifo.exists()  # still the pipe, not replaced


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "kept.csv"
    path.write_text("keep me")
    path.chmod(0o444)
    with pytest.raises(SaveError, match="is read-only"):
        write_bytes(path, b"new")
    assert path.read_text() == "keep me"


def test_a_very_long_name_still_gets_a_temporary_file(tmp_path):
    path = tmp_path / ("n" * 240 + ".csv")
    write_bytes(path, b"data")
    assert path.read_bytes() == b"data" and _left_over(tmp_path) == []
