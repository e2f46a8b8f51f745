"""The whole program run in a process of its own, as a user runs it, for the tests."""

import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def interrupted(flags: list[str], delay: float, times: int = 1, env=None) -> tuple[int, str, str]:
    """Run `python main.py *flags`, press Ctrl+C `times` times after `delay` seconds (the
    moment of a Ctrl+C: any must do), and return its exit status, stdout and stderr."""
    process = subprocess.Popen(
        [sys.executable, "main.py", *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        time.sleep(delay)
        for _ in range(times):
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    return process.returncode, out, err
