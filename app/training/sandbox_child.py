"""The sandbox's child: runs a student's file in a process of its own (see app.model.sandbox).

`python -m app.training.sandbox_child EXERCISE` limits its own memory, loads JAX and runs the
reference on the exercise's hidden cases; then it reads its request (JSON) on standard input,
keeps the real standard output for its answer (one message a line) and sends everything the
student's code prints to standard error. It compiles the student's file, checks its contract
and runs it: every hidden case (check), or a curve beside the reference's on the window's
settings (run). A child started ahead, before the student presses Check, is ready when they
do. An error in the student's code is answered as a failure with its line; only a crash or a
kill leaves no answer, and the parent says what that was.
"""

import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path


def main() -> int:
    """`python -m app.training.sandbox_child EXERCISE`: get ready for the exercise (load JAX,
    run the reference on the hidden cases), then wait for the request."""
    try:
        os.setpgrp()  # a group of its own: the parent ends it and anything it starts, together
    except OSError:
        pass  # a session's leader (started so) leads its own group already
    answer = _answer_channel()
    _limit_memory()
    from app.model.exercises import load_exercise
    from app.model.sandbox import Done, Failure
    from app.training import exercise_grader as grader

    def say(message):
        kind = {"CaseResult": "case", "Curve": "curve", "Failure": "failure", "Done": "done"}[type(message).__name__]
        answer.write(json.dumps({"kind": kind, **asdict(message)}) + "\n")
        answer.flush()

    try:
        exercise = load_exercise(sys.argv[1])
        references = grader.references(exercise)
    except Exception as error:  # the exercise's own fault, or the machine's: not the student's
        say(Failure(f"could not be prepared: {type(error).__name__}: {error}", setup=True))
    else:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        code = _load(Path(request["code"]), say)  # None once its failure is said
        if code is not None:
            _answer(exercise, code, request, references, say)
    say(Done())
    os._exit(0)  # at once: a thread the student's code left running keeps nothing waiting


def _answer(exercise, code, request: dict, references: list, say) -> None:
    """Check every hidden case, or run the curve: each result said as it comes."""
    from app.model.sandbox import CaseResult, Failure
    from app.training import exercise_grader as grader

    problem = grader.missing(exercise.grader, code)
    if problem is not None:
        say(problem)
    elif request["mode"] == "check":
        for index in range(len(exercise.cases)):
            try:
                say(grader.check_case(exercise, code, index, references[index]))
            except Exception as error:  # what the student's step handed back broke the grader's driving
                say(CaseResult(index, False, f"could not be checked: {type(error).__name__}: {error}"))
    else:
        try:
            grader.curves(exercise, code, _case_of(exercise, request.get("settings", {})), say)
        except grader.StudentError as error:
            say(error.failure)
        except Exception as error:  # the grader's own driving failed on this input
            say(Failure(f"the run could not go on: {type(error).__name__}: {error}"))


def _answer_channel():
    """The real standard output, for the answer alone; fd 1 (and sys.stdout) go to standard
    error, so nothing the student's code prints can break the protocol."""
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answer


def _limit_memory():
    try:
        import resource

        from app.model.sandbox import CPU_SECONDS, MEMORY_BYTES

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
        # A backstop should its parent be gone: the parent's own time limit comes first.
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still holds


def _load(path: Path, say):
    """The student's file as a module, or None once its failure is said."""
    from app.model.sandbox import Failure
    from app.training.exercise_grader import StudentError, load

    try:
        return load(path.read_bytes())
    except StudentError as error:
        say(error.failure)
    except OSError as error:
        say(Failure(f"your file could not be read ({error.strerror or error})"))
    return None


def _case_of(exercise, settings: dict):
    """The Run button's case: the exercise's first case, on the window's seed, learning rate,
    steps, optimizer, clipping and EMA decay where it has them."""
    case = exercise.cases[0]
    changes = {
        "seed": settings.get("seed"),
        "lr": settings.get("lr"),
        "steps": min(int(settings["steps"]), 2000) if settings.get("steps") else None,
        "optimizer": settings.get("optimizer"),
        "max_norm": settings.get("clip_norm") if case.max_norm is not None else None,
        "decay": settings.get("ema_decay") if case.decay is not None else None,
    }
    return replace(case, **{k: v for k, v in changes.items() if v is not None})


if __name__ == "__main__":
    sys.exit(main())
