"""The whole program run in a process of its own, as a user runs it, for the tests."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_TIME = "import time:"
"""How `python -X importtime` begins each line it writes to stderr as an import ends."""


def interrupted(flags: list[str], delay: float, times: int = 1, env=None) -> tuple[int, str, str]:
    """Run `python main.py *flags`, press Ctrl+C `times` times `delay` seconds after the program
    took Ctrl+C over (the moment of a Ctrl+C from then on: any must do), and return its exit
    status, stdout and stderr.

    Python's own start comes before main.py's first line, so nothing the program does can
    govern a Ctrl+C in it: the interpreter's default handler meets that one (and main.py takes
    Ctrl+C over at once: a test in test_cli.py sees to it). The moment the
    program has taken over is read off `-X importtime`: the first import to end after
    `app.interrupts` comes after `interrupts.take_over()` in `main.py`.
    """
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "main.py", *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    taken_over = threading.Event()
    out, err = [], []

    def read_stderr():
        interrupts_imported = False
        for line in process.stderr:
            if not line.startswith(IMPORT_TIME):
                err.append(line)
            elif interrupts_imported:
                taken_over.set()
            else:
                interrupts_imported = line.rsplit("|", 1)[-1].strip() == "app.interrupts"
        taken_over.set()  # it ended before: the wait below must not hang

    readers = [
        threading.Thread(target=read_stderr, daemon=True),
        threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True),
    ]
    try:
        for reader in readers:
            reader.start()
        assert taken_over.wait(timeout=60), "the program did not take Ctrl+C over"
        time.sleep(delay)
        for _ in range(times):
            process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
        for reader in readers:
            reader.join(timeout=10)
    finally:
        process.kill()
    return process.returncode, "".join(out), "".join(err)


def engine_processes(marker: str) -> set[int]:
    """The training engines running now whose environment holds `marker` (a test's own
    folder, say: engines of other programs on the machine are not counted). Linux's /proc."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"app.gui.engine_child" in cmdline.read_bytes():
                if marker.encode() in (cmdline.parent / "environ").read_bytes():
                    found.add(int(cmdline.parent.name))
        except OSError:
            pass  # it ended meanwhile
    return found


def engines_end(marker: str, seconds: float = 30.0) -> bool:
    """Whether every engine whose environment holds `marker` has ended within `seconds` (an
    engine whose window never opened ends once its imports are done and it reads its input's
    end)."""
    deadline = time.monotonic() + seconds
    while engine_processes(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
