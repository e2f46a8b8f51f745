"""Command line: the window by default; `--headless` runs without it and prints a summary."""

import argparse
import csv
import math
import sys

import numpy as np

from app.training.config import DROPOUT_RATES, OPTIMIZERS, PARADIGMS, TASKS, RunConfig
from app.training.pitfall_notes import PITFALLS

PROG = "train-step-lab"


class _Parser(argparse.ArgumentParser):
    """Bad flags end with one clear line on stderr and exit status 2, no usage dump."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    defaults = RunConfig()
    parser = _Parser(prog=PROG, description="One training step, in Flax Linen and Flax NNX, run live.")
    parser.add_argument("--headless", action="store_true", help="run without the window and print a summary")
    parser.add_argument("--task", choices=TASKS, default=defaults.task)
    parser.add_argument("--paradigm", choices=PARADIGMS, default=defaults.paradigm)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--lr", type=float, default=defaults.lr, help="learning rate")
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=defaults.optimizer)
    parser.add_argument("--ema", type=float, metavar="DECAY", help="parameter EMA with this decay")
    parser.add_argument("--clip", type=float, metavar="MAX_NORM", help="clip gradients to this global norm")
    parser.add_argument(
        "--sweep", type=int, metavar="N", help="print the final loss of N log-spaced learning rates (1e-4 to 10) as CSV"
    )
    parser.add_argument("--pitfall", choices=tuple(PITFALLS), help="run a classic mistake beside the correct step")
    digits = parser.add_argument_group("digits task")
    digits.add_argument("--batch-size", type=int, default=defaults.batch_size)
    digits.add_argument("--dropout", type=float, choices=DROPOUT_RATES, default=defaults.dropout)
    digits.add_argument("--l2", type=float, default=defaults.l2, help="L2 weight on 1/2 the sum of squared parameters")
    digits.add_argument(
        "--label-smoothing", action=argparse.BooleanOptionalAction, default=defaults.label_smoothing
    )
    parser.add_argument("--csv", metavar="PATH", help="write every step's metrics to this CSV file")
    parser.add_argument("--lesson", metavar="PATH", help="open a lesson (JSON) at its first step")
    parser.add_argument("--screenshot", metavar="PATH", help="open the window, run the settings, save a PNG, exit")
    return parser


def config_from_args(args) -> RunConfig:
    return RunConfig(
        task=args.task,
        paradigm=args.paradigm,
        seed=args.seed,
        lr=args.lr,
        steps=args.steps,
        optimizer=args.optimizer,
        ema_decay=args.ema,
        clip_norm=args.clip,
        batch_size=args.batch_size,
        dropout=args.dropout,
        label_smoothing=args.label_smoothing,
        l2=args.l2,
        pitfall=args.pitfall,
    )


def summary_lines(result) -> list[str]:
    """One line of `key=value` pairs per paradigm."""
    lines = []
    for paradigm in result.config.paradigms:
        if paradigm in result.errors:
            message = " ".join(result.errors[paradigm].split())
            lines.append(f'paradigm={paradigm} steps=0 error="{message}"')
            continue
        m = result.metrics[paradigm]
        steps = len(m["loss"])
        fields = {
            "paradigm": paradigm,
            "steps": steps,
            "first_loss": f"{m['loss'][0]:.6g}",
            "final_loss": f"{m['loss'][-1]:.6g}",
            "seconds": f"{result.seconds:.4f}",
            "steps_per_s": f"{steps / result.seconds:.0f}" if result.seconds > 0 else "inf",
            "compile_seconds": f"{result.compile_seconds:.3f}",
        }
        if "ema_loss" in m:
            fields["final_ema_loss"] = f"{m['ema_loss'][-1]:.6g}"
        for name in ("test_accuracy", "ema_test_accuracy"):
            if name in m:
                measured = m[name][np.isfinite(m[name])]
                fields[name] = f"{measured[-1]:.4f}" if len(measured) else "nan"
        if paradigm in result.diverged_at:
            fields["diverged_at"] = result.diverged_at[paradigm]
        lines.append(" ".join(f"{k}={v}" for k, v in fields.items()))
    return lines


CSV_COLUMNS = ["loss", "grad_norm", "ema_loss"]
DIGITS_CSV_COLUMNS = ["accuracy", "test_accuracy", "ema_test_accuracy"]


def write_csv(result, file) -> None:
    """One row per paradigm per step: paradigm,step,loss,grad_norm,ema_loss (empty when EMA is
    off); the digits task adds accuracy,test_accuracy,ema_test_accuracy (empty between tests)."""
    columns = CSV_COLUMNS + (DIGITS_CSV_COLUMNS if result.config.task == "digits" else [])
    writer = csv.writer(file)
    writer.writerow(["paradigm", "step", *columns])
    for paradigm, m in result.metrics.items():
        for i in range(len(m["loss"])):
            writer.writerow([paradigm, i, *(_cell(m, name, i) for name in columns)])


def _cell(metrics, name, i) -> str:
    """A number as Python writes it; empty where the metric is off or was not measured."""
    if name not in metrics:
        return ""
    value = float(metrics[name][i])
    if math.isnan(value) and name in DIGITS_CSV_COLUMNS:
        return ""
    return repr(value) if math.isfinite(value) else str(value)


def print_sweep(config, points) -> None:
    """`lr,final_loss` rows, then `stability_edge=` (`none` where no edge applies)."""
    from app.training.sweep import sweep

    if not 2 <= points <= 1024:
        raise ValueError(f"sweep needs from 2 to 1024 learning rates, not {points}")
    result = sweep(config, points)
    print("lr,final_loss")
    for lr, loss in zip(result.lrs, result.final_loss):
        print(f"{float(lr):.6g},{float(loss):.6g}")
    print(f"stability_edge={'none' if result.edge is None else f'{result.edge:.6g}'}")


def headless(args) -> int:
    from app.training import runner

    config = config_from_args(args)
    if args.sweep is not None:
        print_sweep(config, args.sweep)
        return 0
    csv_file = open(args.csv, "w", newline="") if args.csv else None  # a bad path fails before the run
    result = runner.run(config)
    if csv_file:
        with csv_file:
            write_csv(result, csv_file)
    print("\n".join(summary_lines(result)))
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.headless:
            return headless(args)
        if args.lesson:
            from app.lessons import load_lesson

            load_lesson(args.lesson)  # a bad file is refused here, with its problem, before any window
        from app.gui.app import run_app

        return run_app(args)
    except (ValueError, OSError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
