"""The sandbox a student's code runs in: a fresh Python process for each Run or Check.

The window (or `--check`) starts `python -m app.training.sandbox_child` in a scratch folder of
its own, hands it a request on standard input (the exercise file, a copy of the student's
file, run or check, the settings), and reads its answer: one JSON message a line on standard
output. What the student's code prints goes to standard error. The child limits its own memory
and the parent its time; whatever the child does (an endless loop, `os._exit`, a crash, a
reply that is not the protocol's) ends as a sentence that says what it was, never as an
exception in the parent. No Qt and no JAX here.
"""

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.model.exercises import DIAGNOSES

CHECK_SECONDS = 60.0
"""How long a Check may take: importing JAX and compiling every case's step included."""
RUN_SECONDS = 120.0
CPU_SECONDS = 900
"""The child's processor time, all its threads together, should its parent be gone."""
MEMORY_BYTES = 3 << 30
"""The child's address space (where the platform allows limiting it): a huge allocation fails
inside it as a MemoryError, never takes the machine's memory."""
MOST_MESSAGE_BYTES = 1 << 20
MOST_POINTS = 5000


class ProtocolError(ValueError):
    """A line from the child that is not a message of the protocol."""


@dataclass(frozen=True)
class CaseResult:
    index: int  # from 0, in the exercise's order
    passed: bool
    detail: str  # what was measured: the difference, or what went wrong
    diagnosis: str | None = None  # a DIAGNOSES key, or None
    line: int | None = None  # the line of the student's file an error came through


@dataclass(frozen=True)
class Curve:
    """Steps of the student's run and the reference's, in order (None: not finite)."""

    steps: tuple[int, ...]
    yours: tuple[float | None, ...]
    reference: tuple[float | None, ...]


@dataclass(frozen=True)
class Failure:
    """The student's code failed: what happened, at which line of their file (or None), and
    what the grader recognises in it; or (`setup`) the exercise itself could not be prepared."""

    what: str
    line: int | None = None
    diagnosis: str | None = None
    setup: bool = False


@dataclass(frozen=True)
class Done:
    pass


def request(code: Path, mode: str, settings: dict | None = None) -> bytes:
    """What the child reads on standard input, once it is ready."""
    return json.dumps({"code": str(code), "mode": mode, "settings": settings or {}}).encode()


def command(exercise: Path) -> list[str]:
    """The child's command line: this Python, unbuffered, the app's sandbox entry point, and
    the exercise it gets ready for."""
    return [sys.executable, "-u", "-m", "app.training.sandbox_child", str(exercise)]


def environment() -> dict:
    """The child's environment: the parent's, with the app importable, JAX on the CPU and quiet,
    and no display (the child never shows a window)."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    env["JAX_PLATFORMS"] = env.get("JAX_PLATFORMS", "cpu")
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


def scratch() -> tempfile.TemporaryDirectory:
    """A scratch folder for one child: its working folder, holding its copy of the code."""
    return tempfile.TemporaryDirectory(prefix="train-step-lab-sandbox-")


def read_message(line: bytes):
    """One line from the child as a CaseResult, Curve, Failure or Done; ProtocolError if it is
    anything else."""
    if len(line) > MOST_MESSAGE_BYTES:
        raise ProtocolError("a reply longer than the protocol allows")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("a reply that is not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("a reply that is not a message")
    kind = data.get("kind")
    if kind == "case":
        index, passed, detail, diagnosis, line = (
            data.get(k) for k in ("index", "passed", "detail", "diagnosis", "line")
        )
        if not (_whole(index) and isinstance(passed, bool) and isinstance(detail, str)):
            raise ProtocolError("a case result without its index, verdict or detail")
        if not (line is None or _whole(line)):
            raise ProtocolError("a case result with a line that is not a line number")
        return CaseResult(index, passed, _text(detail), _diagnosis(diagnosis), line)
    if kind == "curve":
        steps, yours, reference = (data.get(k) for k in ("steps", "yours", "reference"))
        if not all(isinstance(v, list) and len(v) <= MOST_POINTS for v in (steps, yours, reference)):
            raise ProtocolError("a curve without its steps and values")
        if not (len(steps) == len(yours) == len(reference)) or not all(_whole(k) for k in steps):
            raise ProtocolError("a curve whose steps and values do not match")
        return Curve(tuple(steps), _values(yours), _values(reference))
    if kind == "failure":
        what, line, diagnosis, setup = (data.get(k) for k in ("what", "line", "diagnosis", "setup"))
        if not isinstance(what, str) or not (line is None or _whole(line)) or not isinstance(setup, bool | None):
            raise ProtocolError("a failure without its sentence")
        return Failure(_text(what), line, _diagnosis(diagnosis), bool(setup))
    if kind == "done":
        return Done()
    raise ProtocolError("a reply of no known kind")


def checked(message, before: list):
    """`message`, unless it answers a case already answered (ProtocolError): a check counts
    each hidden case once."""
    answered = {m.index for m in before if isinstance(m, CaseResult)}
    if isinstance(message, CaseResult) and message.index in answered:
        raise ProtocolError("a case answered twice")
    return message


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _values(values) -> tuple:
    if not all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values):
        raise ProtocolError("a curve with values that are not numbers")
    try:
        numbers = [None if v is None else float(v) for v in values]
    except OverflowError:
        raise ProtocolError("a curve with a number too large for a float") from None
    return tuple(v if v is not None and math.isfinite(v) else None for v in numbers)


def _text(text: str) -> str:
    """A text of the child's, at most 2,000 characters, without control characters (a
    message cannot move the terminal's cursor or clear its screen)."""
    return "".join(c for c in text[:2000] if c in "\n\t" or (ord(c) >= 32 and not 127 <= ord(c) < 160))


def _diagnosis(name):
    if name is not None and name not in DIAGNOSES:
        raise ProtocolError("a diagnosis the app does not know")
    return name


def ended(code: int | None, timed_out: bool, limit: float, finished: bool) -> str | None:
    """What the child's end says when it did not finish its work (None when it did: what it
    left running after its answer is ended with it)."""
    if finished:
        return None
    if timed_out:
        return f"did not finish within {limit:g} s (an endless loop, or a step far too slow) and was stopped"
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGSEGV:
            return "crashed with a segmentation fault (SIGSEGV): the process died in native code"
        if -code == signal.SIGKILL:
            return "was killed (SIGKILL): by the system for using too much memory, or stopped"
        return f"was ended by {name}"
    return f"ended (exit status {code}) before it finished: os._exit or sys.exit ends the whole process"


@dataclass
class Outcome:
    """What one child said: its messages in order, and why it ended early (None: it finished)."""

    messages: list = field(default_factory=list)
    problem: str | None = None
    output: str = ""  # what the student's code printed (its last lines)


def code_copy(folder: str, code: Path) -> Path:
    """The child's own copy of the student's file, in its scratch folder."""
    copy = Path(folder) / "your_step.py"
    shutil.copyfile(code, copy)
    return copy


def run_blocking(exercise: Path, code: Path, mode="check", settings=None, seconds=CHECK_SECONDS, stop=None):
    """Run a child to its end (the command line's `--check`): its Outcome. `stop()`, asked
    while it runs, ends it early (Ctrl+C)."""
    with scratch() as folder:
        child = subprocess.Popen(
            command(exercise),
            cwd=folder,
            env=environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        answer, printed = _Kept(MOST_ANSWER_BYTES, tail=False), _Kept(MOST_OUTPUT_BYTES, tail=True)
        readers = [
            threading.Thread(target=_drain, args=(pipe, kept), daemon=True)
            for pipe, kept in ((child.stdout, answer), (child.stderr, printed))
        ]
        for reader in readers:
            reader.start()
        try:
            child.stdin.write(request(code_copy(folder, code), mode, settings))
            child.stdin.close()
        except OSError:
            pass  # it ended before it read the request: its end says why
        deadline, timed_out, stopped = time.monotonic() + seconds, False, False
        while child.poll() is None and not (timed_out or stopped):
            time.sleep(0.05)
            timed_out = time.monotonic() > deadline
            stopped = bool(stop and stop())
        end_group(child.pid)  # whatever it started ends here, and the child below
        child.kill()
        child.wait()
        for reader in readers:
            reader.join(timeout=5)
    outcome = outcome_of(answer.data(), printed.data(), child.returncode, timed_out, seconds)
    if answer.overflowed:
        outcome.problem = "answered at more length than the protocol allows (the check counts as failed)"
    if stopped:
        outcome.problem = "was stopped"
    return outcome


MOST_ANSWER_BYTES = 8 << 20
MOST_OUTPUT_BYTES = 64 << 10
"""What is kept of the child's answer (the rest is a protocol error) and of its prints (the last)."""


class _Kept:
    """A bounded keep of a pipe's bytes: the first `limit` (the answer), or the last (prints)."""

    def __init__(self, limit: int, tail: bool):
        self.limit, self.tail = limit, tail
        self.chunks, self.size, self.overflowed = [], 0, False

    def add(self, chunk: bytes):
        if not self.tail and self.size + len(chunk) > self.limit:
            self.overflowed = True
            return
        self.chunks.append(chunk)
        self.size += len(chunk)
        while self.tail and self.size - len(self.chunks[0]) >= self.limit:
            self.size -= len(self.chunks.pop(0))

    def data(self) -> bytes:
        joined = b"".join(self.chunks)
        return joined[-self.limit :] if self.tail else joined


def _drain(pipe, kept: _Kept):
    """Read `pipe` to its end into `kept` (a child that prints without end fills no memory)."""
    with pipe:
        for chunk in iter(lambda: pipe.read1(1 << 16), b""):
            kept.add(chunk)


def end_group(pid: int) -> None:
    """Kill the child's process group (it makes one at its start): it and anything it started
    (a forked process, a `subprocess.Popen`) that would hold its pipes open. The child itself
    is ended by its handle (`Popen.kill`, `QProcess.kill`), which knows whether it still runs."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass  # the group is gone already


def outcome_of(out: bytes, err: bytes, code: int | None, timed_out: bool, seconds: float) -> Outcome:
    outcome = Outcome(output=err.decode("utf-8", "replace")[-4000:])
    for line in out.splitlines():
        if not line.strip():
            continue
        try:
            outcome.messages.append(checked(read_message(line), outcome.messages))
        except ProtocolError as error:
            outcome.problem = f"answered with {error} (the check counts as failed)"
            return outcome
    finished = any(isinstance(m, Done) for m in outcome.messages)
    outcome.problem = ended(code, timed_out, seconds, finished)
    return outcome


def verdict_lines(exercise, results, failure, problem) -> list[str]:
    """What a Check says, in the window and on the command line: each case's verdict and what
    was measured, the mistake it shows and its fix, a failure of the student's file, why the
    check ended early, and the count."""
    lines = []
    for result in results:
        case = exercise.cases[result.index].said() if result.index < len(exercise.cases) else "?"
        lines.append(f"case {result.index + 1} ({case}): {'passed' if result.passed else 'FAILED'}: {result.detail}")
        if result.diagnosis:
            lines.append(f"  {exercise.said(result.diagnosis)}")
    lines += failure_lines(exercise, failure, problem, "the check")
    lines.append(f"{len(passed_cases(exercise, results))} of {len(exercise.cases)} cases passed")
    return lines


def failure_lines(exercise, failure, problem, request: str) -> list[str]:
    """A failure of the student's file (or of the exercise) with the mistake it shows, and why
    `request` ("the check", "the run") ended early."""
    lines = []
    if failure is not None:
        lines.append(f"{'the exercise' if failure.setup else 'your file'}: {failure.what}")
        if failure.diagnosis:
            lines.append(f"  {exercise.said(failure.diagnosis)}")
    if problem:
        lines.append(f"{request} {problem}")
    return lines


def passed_cases(exercise, results) -> set[int]:
    """The hidden cases passed: each counted once, and only the exercise's own."""
    return {r.index for r in results if r.passed and r.index < len(exercise.cases)}
