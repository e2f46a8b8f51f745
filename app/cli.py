"""Command line: the window by default; `--headless` runs without it and prints a summary."""

import argparse
import csv
import functools
import math
import os
import sys
from pathlib import Path

from app import engine_launch, interrupts
from app.model.config import RunConfig
from app.model.files import SaveError, target_of, write_bytes, write_file
from app.model.settings import DISPLAY_FIELDS, FIELDS, RUN_FIELDS, Settings
from app.training import compile_cache

PROG = "train-step-lab"
SWEEP_IGNORES = {
    "lr": "the sweep runs every learning rate from 1e-4 to 10",
    "pitfall": "the sweep runs the correct step (in the window, the paradigm beside the pitfall)",
    "ema_decay": "the sweep reads the final loss of the raw weights, which EMA does not change",
}


class _Parser(argparse.ArgumentParser):
    """Bad flags end with one clear line on stderr and exit status 2, no usage dump."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """One flag per run and display setting, from the settings' field table. These flags default
    to None: a flag that was given is told apart from one that was not."""
    parser = _Parser(prog=PROG, description="One training step, in Flax Linen and Flax NNX, run live.")
    parser.add_argument("--headless", action="store_true", help="run without the window and print a summary")
    digits = parser.add_argument_group("digits task")
    display = parser.add_argument_group("window display")
    for f in RUN_FIELDS + DISPLAY_FIELDS:
        group = display if f in DISPLAY_FIELDS else digits if f.digits_only else parser
        if f.choices is None and f.window_range is None:  # a switch, on or off: --log-y, --no-label-smoothing
            group.add_argument(f"--{f.flag}", dest=f.name, action=argparse.BooleanOptionalAction, help=f.help)
            continue
        kind = type(f.choices[0]) if f.choices else type(f.window_range[0])
        group.add_argument(f"--{f.flag}", dest=f.name, type=kind, choices=f.choices, help=f.help)
    parser.add_argument(
        "--sweep", type=int, metavar="N", help="print the final loss of N log-spaced learning rates (1e-4 to 10) as CSV"
    )
    parser.add_argument(
        "--csv",
        metavar="PATH",
        help="write every step's metrics (or the sweep's rows) to this CSV file; - writes it to standard output",
    )
    parser.add_argument(
        "--notebook",
        metavar="PATH",
        help="with --headless: also write a Jupyter notebook that reproduces the run without this app",
    )
    parser.add_argument("--lesson", metavar="LESSON", help="open a lesson (a JSON file, or a built-in lesson's name)")
    parser.add_argument(
        "--exercise", metavar="EXERCISE", help="open an exercise (a JSON file, or a built-in exercise's name)"
    )
    parser.add_argument(
        "--check",
        metavar="FILE",
        help="with --exercise: grade FILE on the hidden cases without the window (exit 0: all pass, 1: any fails)",
    )
    parser.add_argument("--screenshot", metavar="PATH", help="open the window, run the settings, save a PNG, exit")
    parser.add_argument("--present", action="store_true", help="open in presentation mode (F5 toggles it, Esc leaves)")
    parser.add_argument(
        "--no-compile-cache", action="store_true", help="compile every run structure afresh (not kept between launches)"
    )
    return parser


def given_run_flags(args) -> dict:
    """The RunConfig fields the command line set."""
    return _given(args, RUN_FIELDS)


def given_display_flags(args) -> dict:
    """The display settings (pace, rate, ...) the command line set."""
    return _given(args, DISPLAY_FIELDS)


def _given(args, fields) -> dict:
    return {f.name: getattr(args, f.name) for f in fields if getattr(args, f.name) is not None}


def config_from_args(args) -> RunConfig:
    return RunConfig(**given_run_flags(args)).runnable()


def settings_from_args(args) -> Settings | None:
    """The window's settings: the flags given, every other setting at its default (ValueError
    outside what the controls offer). None when no run or display flag was given: the window
    then opens on the settings it remembers."""
    if not given_run_flags(args) and not given_display_flags(args):
        return None
    return Settings(config_from_args(args), **given_display_flags(args))


def check_combination(args) -> None:
    """ValueError for flags that would be ignored together: refused, never silently dropped."""
    given = given_run_flags(args)
    display = [f"--{f.flag}" for f in DISPLAY_FIELDS if f.name in given_display_flags(args)]
    if args.csv == "":
        raise ValueError("--csv needs a file name")
    if args.check is not None:
        if args.exercise is None:
            raise ValueError("--check grades a file for an exercise: add --exercise NAME")
        flags = ("headless", "lesson", "screenshot", "present", "csv", "sweep", "notebook")
        others = [f"--{n}" for n in flags if getattr(args, n)]
        if others or given or display:
            raise ValueError(f"--check grades the file alone: leave out {(others + display + ['the run flags'])[0]}")
        return
    if args.exercise is not None and (args.headless or args.lesson is not None):
        raise ValueError("--exercise opens the window on an exercise: it cannot go with --headless or --lesson")
    if args.notebook is not None and (not args.headless or args.sweep is not None):
        raise ValueError("--notebook writes a headless run's notebook: add --headless (and leave out --sweep)")
    if args.headless:
        for flag in ("screenshot", "lesson", "present"):
            if getattr(args, flag) not in (None, False):
                raise ValueError(f"--{flag} shows the window: it cannot go with --headless")
        if display:
            raise ValueError(f"{display[0]} sets how the window shows the run: it cannot go with --headless")
    else:
        for flag in ("csv", "sweep"):
            if getattr(args, flag) is not None:
                raise ValueError(f"--{flag} belongs to a headless run: add --headless")
        if args.lesson is not None and given:
            raise ValueError("--lesson sets the run itself: leave out the run's flags")
        if args.lesson is not None and display:
            raise ValueError(f"--lesson sets how the window shows its steps: leave out {display[0]}")
    if args.sweep is not None:
        # The sweep runs the correct step and reads its raw weights' loss: these would be ignored.
        for name, why in SWEEP_IGNORES.items():
            if name in given:
                raise ValueError(f"--{FIELDS[name].flag} cannot go with --sweep: {why}")
    if given.get("task", "line") == "line":
        digits_only = [f"--{f.flag}" for f in RUN_FIELDS if f.digits_only and f.name in given]
        if digits_only:
            raise ValueError(f"{digits_only[0]} sets the digits task: add --task digits")


def normalise_negative_values(argv: list[str]) -> list[str]:
    """`--lr -inf` as `--lr=-inf`: argparse would read a value starting with '-' as a flag."""
    out = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and token.startswith("-") and _is_number(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def summary_lines(result) -> list[str]:
    """One line of `key=value` pairs per paradigm."""
    lines = []
    for paradigm in result.config.paradigms:
        if paradigm in result.errors:
            message = " ".join(result.errors[paradigm].split())
            lines.append(f'paradigm={paradigm} steps=0 error="{message}"')
            continue
        m = result.metrics.get(paradigm)
        if not m:  # stopped before its first step
            lines.append(f"paradigm={paradigm} steps=0")
            continue
        steps = len(m["loss"])
        # Paradigms that run together share one compiled loop: its time is one joint figure.
        joint = "joint_" if len(result.config.compiled_paradigms) > 1 else ""
        fields = {
            "paradigm": paradigm,
            "steps": steps,
            "first_loss": f"{m['loss'][0]:.6g}",
            "final_loss": f"{m['loss'][-1]:.6g}",
            f"{joint}seconds": f"{result.seconds:.4f}",
            f"{joint}steps_per_s": f"{steps / result.seconds:.0f}" if result.seconds > 0 else "inf",
            f"{joint}compile_seconds": f"{result.compile_seconds:.3f}",
        }
        if "ema_loss" in m:
            fields["final_ema_loss"] = f"{m['ema_loss'][-1]:.6g}"
        for name in ("test_accuracy", "ema_test_accuracy"):
            if name in m:
                measured = [v for v in m[name] if math.isfinite(v)]
                fields[name] = f"{measured[-1]:.4f}" if len(measured) else "nan"
        if paradigm in result.diverged_at:
            fields["diverged_at"] = result.diverged_at[paradigm]
        lines.append(" ".join(f"{k}={v}" for k, v in fields.items()))
    return lines


def sweep_rows(config, points, should_stop=lambda: False) -> tuple[list[list[str]], str]:
    """The sweep's `lr,final_loss` rows, as far as it came before `should_stop()`, and its
    `stability_edge=` line (`none` where no edge applies)."""
    from app.training.sweep import SweepRun

    run = SweepRun(config, points)
    while not run.finished and not should_stop():
        run.advance()
    result = run.result()
    done = zip(result.lrs[: result.done], result.final_loss[: result.done], strict=True)
    rows = [[f"{float(lr):.6g}", f"{float(loss):.6g}"] for lr, loss in done]
    return rows, f"stability_edge={'none' if result.edge is None else f'{result.edge:.6g}'}"


def _write_rows(rows, file) -> None:
    csv.writer(file).writerows(rows)


def _check_target(path, what: str) -> None:
    """ValueError, before any run, for a path that cannot be a file to write."""
    try:
        target_of(path, stream=what == "the CSV")
    except SaveError as error:
        special = os.path.exists(path) and not os.path.isdir(path)
        hint = " (--csv - writes the CSV to standard output)" if special and what == "the CSV" else ""
        raise ValueError(f"{what} cannot be written: {error}{hint}") from None


def headless(args) -> int:
    """Run (or sweep) and print; the CSV is written last and whole, so a bad path loses no
    printed result and a failed write leaves no partial file. With `--csv -` the CSV goes to
    standard output and the summary to standard error. Ctrl+C stops between two chunks: what
    ran so far is printed and saved, and the exit status is 130."""
    to_stdout = args.csv == "-"
    if args.csv and not to_stdout:
        _check_target(args.csv, "the CSV")
    if args.notebook:
        _check_target(args.notebook, "the notebook")
    say = functools.partial(print, file=sys.stderr if to_stdout else sys.stdout)
    compile_cache.enable()  # before anything compiles: JAX sets its cache up at the first compile
    from app.training.lean_imports import without_ipython

    with without_ipython():
        from app.training import runner

    config = config_from_args(args)
    if args.sweep is not None:
        rows, edge = sweep_rows(config, args.sweep, interrupts.interrupted)
        table = [["lr", "final_loss"], *rows]
        say("\n".join([*(",".join(row) for row in table), edge]))
        save, done, total, unit = functools.partial(_write_rows, table), len(rows), args.sweep, "learning rate"
    else:
        result = runner.run(config, interrupts.interrupted)
        say("\n".join(summary_lines(result)))
        done = max((result.steps_done(p) for p in result.paradigms), default=0)
        save, total, unit = result.to_csv, config.steps, "step"
    stopped = interrupts.interrupted() and done < total
    if args.csv and (done or not stopped):
        if to_stdout:
            save(sys.stdout)
        else:
            try:
                write_file(args.csv, save, stream=True)
            except SaveError as error:
                raise ValueError(str(error)) from None
    if args.notebook and not stopped:
        from app.training.notebook import notebook, to_bytes

        try:
            write_bytes(args.notebook, to_bytes(notebook(Settings(config))))
        except SaveError as error:
            raise ValueError(str(error)) from None
    if stopped:
        if done:
            held = "the lines above and the CSV hold" if args.csv else "the lines above hold"
            said = f"after {done:,} of {total:,} {unit}s: {held} those"
        else:
            said = f"before the first {unit} finished: nothing ran" + (", no CSV was written" if args.csv else "")
        print(f"{PROG}: interrupted {said}", file=sys.stderr)
        return interrupts.INTERRUPTED
    return 0


def check_exercise(name: str, file: str) -> int:
    """Grade `file` on the exercise's hidden cases in the sandbox: a line per case, and the
    mistake named; 0 when every case passes, 1 when any fails (a crash or a timeout fails)."""
    from app.model import sandbox
    from app.model.exercises import load_exercise

    exercise = load_exercise(name)
    code = Path(file)
    if code.is_dir():
        raise ValueError(f"{file}: is a folder, not a Python file to check")
    if not code.is_file():
        raise ValueError(f"{file}: no such file to check")
    outcome = sandbox.run_blocking(exercise.path, code, stop=interrupts.interrupted)
    results = [m for m in outcome.messages if isinstance(m, sandbox.CaseResult)]
    failure = next((m for m in outcome.messages if isinstance(m, sandbox.Failure)), None)
    for line in sandbox.verdict_lines(exercise, results, failure, outcome.problem):
        print(line)
    if interrupts.interrupted():
        return interrupts.INTERRUPTED
    if failure is not None and failure.setup:
        return 2  # the exercise could not be used: nothing was graded
    passed = sandbox.passed_cases(exercise, results)
    return 0 if outcome.problem is None and len(passed) == len(exercise.cases) else 1


def main(argv=None) -> int:
    """The program. Called as the program itself (no `argv`), it keeps Ctrl+C taken over until
    the process ends (see `interrupts`); called with `argv`, it gives it back when it returns."""
    with interrupts.taken_over(restore=argv is not None):
        return _main(list(sys.argv[1:] if argv is None else argv))


def _main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(normalise_negative_values(argv))
    if args.no_compile_cache:
        os.environ[compile_cache.SWITCH] = "0"  # read where JAX loads (the worker, or below)
    try:
        check_combination(args)
        if args.check is not None:
            return check_exercise(args.exercise, args.check)
        if args.headless:
            return headless(args)
        if args.screenshot:
            _check_target(args.screenshot, "the screenshot")
        if args.lesson:
            from app.model.lessons import load_lesson

            load_lesson(args.lesson)  # a bad file is refused here, with its problem, before any window
        if args.exercise:
            from app.model.exercises import load_exercise

            load_exercise(args.exercise)
        settings = settings_from_args(args)  # refused outside what the controls offer
        if not interrupts.interrupted():
            engine_launch.launch_early()  # its imports beside the window's own
        from app.gui.app import run_app

        return run_app(args, settings)
    except BrokenPipeError:  # the reader of standard output went away (`| head`, say)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit's flush
        return 1
    except (ValueError, OSError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
