"""Headless runs: summary lines, the CSV, and one clear line for bad input."""

import csv
import errno
import math
import pathlib
import shlex
import signal
import subprocess
import sys
import types
from dataclasses import replace

import numpy as np
import pytest

from app.cli import build_parser, main
from app.model.command_line import command_line
from app.model.config import MAX_SEED, MAX_STEPS, RunConfig
from app.model.settings import DISPLAY_FIELDS, Settings
from tests.programs import ROOT, interrupted


def _fields(line):
    return dict(pair.split("=", 1) for pair in line.split())


def test_summary_line_per_paradigm(capsys):
    assert main(["--headless", "--steps", "300", "--seed", "4", "--lr", "0.2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [_fields(line)["paradigm"] for line in lines] == ["linen", "nnx"]
    for line in lines:
        f = _fields(line)
        assert {"steps", "first_loss", "final_loss", "joint_seconds", "joint_steps_per_s"} <= f.keys()
        assert "seconds" not in f  # both ran in one loop: one joint time, never read as two
        assert int(f["steps"]) == 300 and float(f["final_loss"]) < float(f["first_loss"])
        assert "diverged_at" not in f
    assert main(["--headless", "--steps", "30", "--paradigm", "nnx"]) == 0
    assert {"seconds", "steps_per_s"} <= _fields(capsys.readouterr().out.strip()).keys()


def test_divergence_is_reported(capsys):
    assert main(["--headless", "--paradigm", "nnx", "--lr", "5", "--steps", "1000"]) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    f = _fields(line)
    assert int(f["diverged_at"]) == int(f["steps"]) - 1 < 1000


def test_csv_has_a_row_per_paradigm_per_step(tmp_path, capsys):
    path = tmp_path / "run.csv"
    assert main(["--headless", "--steps", "25", "--ema", "0.9", "--csv", str(path)]) == 0
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == [
        "paradigm",
        "step",
        "loss",
        "grad_norm",
        "ema_loss",
        "kernel",
        "bias",
        "ema_kernel",
        "ema_bias",
    ]
    assert len(rows) == 50
    assert [r["step"] for r in rows[:25]] == [str(i) for i in range(25)]
    assert {r["paradigm"] for r in rows} == {"linen", "nnx"}
    printed = {_fields(line)["paradigm"]: _fields(line) for line in capsys.readouterr().out.splitlines()}
    last_nnx = [r for r in rows if r["paradigm"] == "nnx"][-1]
    assert float(last_nnx["loss"]) == pytest.approx(float(printed["nnx"]["final_loss"]), rel=1e-5)
    assert float(last_nnx["ema_loss"]) > 0


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_digits_reach_95_percent_in_2000_steps_in_both_paradigms(tmp_path, capsys):
    path = tmp_path / "digits.csv"
    argv = ["--headless", "--task", "digits", "--paradigm", "both", "--steps", "2000", "--ema", "0.99", "--clip", "1.0"]
    assert main([*argv, "--csv", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [_fields(line)["paradigm"] for line in lines] == ["linen", "nnx"]
    for line in lines:
        f = _fields(line)
        assert float(f["test_accuracy"]) >= 0.95 and float(f["ema_test_accuracy"]) >= 0.95
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["paradigm", "step", "loss", "grad_norm", "accuracy", "test_accuracy", "ema_test_accuracy"]
    assert len(rows) == 4000
    tested = [r for r in rows if r["paradigm"] == "nnx" and r["test_accuracy"]]
    assert len(tested) == 40 and float(tested[-1]["test_accuracy"]) == pytest.approx(
        float(_fields(lines[1])["test_accuracy"]), abs=1e-4
    )


def test_forgotten_rebind_leaves_the_linen_loss_where_it_started(capsys):
    assert main(["--headless", "--paradigm", "both", "--pitfall", "forgotten-rebind", "--steps", "300"]) == 0
    linen, nnx = (_fields(line) for line in capsys.readouterr().out.strip().splitlines())
    assert linen["final_loss"] == linen["first_loss"] and float(nnx["final_loss"]) < float(nnx["first_loss"])


def test_a_pitfall_that_raises_prints_its_error_in_the_summary(capsys):
    assert main(["--headless", "--pitfall", "missing-wrt", "--steps", "50"]) == 0
    linen, nnx = capsys.readouterr().out.strip().splitlines()
    assert int(_fields(linen)["steps"]) == 50
    assert nnx.startswith('paradigm=nnx steps=0 error="TypeError: Missing required argument `wrt`')


def test_sweep_prints_csv_rows_and_the_edge(capsys):
    assert main(["--headless", "--sweep", "64", "--steps", "500"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "lr,final_loss" and len(lines) == 66
    rows = [tuple(map(float, line.split(","))) for line in lines[1:65]]
    edge = float(lines[-1].removeprefix("stability_edge="))
    assert edge == pytest.approx(0.9961, rel=1e-3)
    assert all(math.isfinite(loss) for lr, loss in rows if lr < 0.9 * edge)
    assert not any(math.isfinite(loss) and loss < 1 for lr, loss in rows if lr > 1.2 * edge)


def test_csv_rows_carry_the_weights_their_loss_was_computed_with(tmp_path):
    """Each row's kernel and bias are the weights before that step's update: the batch's mean
    squared error at them is the row's loss (and the EMA weights' is its EMA loss)."""
    from app.model.tasks import line_fit_batch

    path = tmp_path / "run.csv"
    assert (
        main(
            [
                "--headless",
                "--steps",
                "40",
                "--lr",
                "0.5",
                "--optimizer",
                "momentum",
                "--ema",
                "0.9",
                "--csv",
                str(path),
            ]
        )
        == 0
    )
    x, y = (a[:, 0].astype(np.float64) for a in line_fit_batch())
    rows = list(csv.DictReader(path.open()))
    kernels = {float(r["kernel"]) for r in rows}
    assert len(kernels) > 30  # the weights move
    for r in rows:
        for prefix in ("", "ema_"):
            k, b = float(r[prefix + "kernel"]), float(r[prefix + "bias"])
            assert np.mean((x * k + b - y) ** 2) == pytest.approx(float(r[prefix + "loss"]), rel=1e-5)


def test_csv_without_ema_leaves_the_column_empty(tmp_path, capsys):
    path = tmp_path / "run.csv"
    main(["--headless", "--steps", "3", "--paradigm", "linen", "--csv", str(path)])
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 3 and all(r["ema_loss"] == "" for r in rows)


@pytest.mark.parametrize(
    "argv,word",
    [
        (["--lr", "0"], "lr"),
        (["--steps", "0"], "steps"),
        (["--steps", "ten"], "--steps"),
        (["--optimizer", "rmsprop"], "--optimizer"),
        (["--ema", "1.5"], "ema_decay"),
        (["--clip", "-1"], "clip_norm"),
        (["--csv", "/no/such/dir/run.csv"], "the folder /no/such/dir does not exist"),
        (["--sweep", "4", "--lr", "0.3"], "--lr cannot go with --sweep"),
        (["--sweep", "4", "--pitfall", "forgotten-rebind"], "--pitfall cannot go with --sweep"),
        (["--sweep", "4", "--ema", "0.9"], "--ema cannot go with --sweep"),
        (["--bogus"], "--bogus"),
        (["--task", "digits", "--dropout", "0.15"], "--dropout"),
        (["--pitfall", "forgotten-rebind", "--ema", "0.9"], "pitfall"),
        (["--sweep", "1"], "sweep"),
        (["--task", "digits", "--batch-size", "1000"], "batch_size"),
        (["--task", "digits", "--l2", "-1"], "l2"),
        (["--lr", "-inf"], "lr (learning rate) must be"),
        (["--lr=-inf"], "lr (learning rate) must be"),
        (["--lr", "1e-31"], "lr (learning rate) must be"),
        (["--lr", "2e6"], "lr (learning rate) must be"),
        (["--clip", "1e-40"], "clip_norm"),
        (["--clip", "-1e9"], "clip_norm"),
        (["--csv", ""], "--csv needs a file name"),
        (["--screenshot", "out.png"], "--screenshot shows the window"),
        (["--lesson", "02-the-stability-edge"], "--lesson shows the window"),
        (["--pitfall", "forgotten-rebind", "--paradigm", "nnx"], "breaks the linen step"),
        (["--pitfall", "optimizer-in-loop", "--paradigm", "linen"], "breaks the nnx step"),
        (["--pitfall", "forgotten-eval"], "pitfall forgotten-eval runs on the digits task"),
        (["--task", "digits", "--pitfall", "forgotten-rebind"], "pitfall forgotten-rebind runs on the line fit task"),
        (["--batch-size", "32"], "--batch-size sets the digits task"),
        (["--no-label-smoothing"], "--label-smoothing sets the digits task"),
        (["--pace", "animate"], "--pace sets how the window shows the run: it cannot go with --headless"),
        (["--rate", "5"], "--rate sets how the window"),
        (["--smoothing", "3"], "--smoothing sets how the window"),
        (["--stop-at", "0.01"], "--stop-at sets how the window"),
        (["--log-y"], "--log-y sets how the window"),
        (["--no-log-y"], "--log-y sets how the window"),
        (["--show-steps", "100"], "--show-steps sets how the window"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, word, capsys):
    with pytest.raises(SystemExit) as exit_info:
        code = main(["--headless", *argv])
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and word in err and "Traceback" not in err


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_main_py_runs_headless_as_a_program():
    done = subprocess.run(
        [sys.executable, "main.py", "--headless", "--steps", "10", "--lr", "nan"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "lr" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "main.py", "--headless", "--steps", "10"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.count("paradigm=") == 2


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
@pytest.mark.parametrize(
    "argv,word",
    [
        (["--csv", "run.csv"], "--csv belongs to a headless run"),
        (["--sweep", "8"], "--sweep belongs to a headless run"),
        (["--lesson", "02-the-stability-edge", "--lr", "0.3"], "--lesson sets the run itself"),
        (["--lesson", "no-such-lesson"], "no such lesson file"),
        (["--lr", "50"], "lr 50.0 is outside the window's range"),
        (["--task", "digits", "--l2", "0.5"], "l2 0.5 is outside the window's range"),
    ],
)
def test_window_flags_that_cannot_be_honoured_exit_2_before_any_window(argv, word):
    done = subprocess.run([sys.executable, "main.py", *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and word in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_csv_that_cannot_be_written_is_refused_before_the_run(tmp_path, capsys):
    path = tmp_path / "no-such-folder" / "run.csv"
    assert main(["--headless", "--steps", "20", "--csv", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and str(path) in err and len(err.strip().splitlines()) == 1


def test_a_csv_write_that_fails_keeps_the_summary_and_the_old_file(tmp_path, capsys, monkeypatch):
    from app.model import files

    path = tmp_path / "run.csv"
    path.write_text("the run before\n")

    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_flush_to_disk", disk_full)
    assert main(["--headless", "--steps", "20", "--csv", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out.count("paradigm=") == 2 and len(err.strip().splitlines()) == 1
    assert "No space left on device; the file there is unchanged" in err
    assert path.read_text() == "the run before\n" and sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]


def test_csv_dash_writes_the_csv_to_standard_output_and_the_summary_to_standard_error(capsys):
    assert main(["--headless", "--steps", "5", "--csv", "-"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == 10 and {r["paradigm"] for r in rows} == {"linen", "nnx"}
    assert [_fields(line)["paradigm"] for line in err.strip().splitlines()] == ["linen", "nnx"]
    assert float(rows[4]["loss"]) == pytest.approx(float(_fields(err.splitlines()[0])["final_loss"]), rel=1e-5)
    assert not (pathlib.Path.cwd() / "-").exists()


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_csv_to_the_file_standard_output_goes_to_is_refused_and_loses_nothing(tmp_path):
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        done = subprocess.run(
            [sys.executable, "main.py", "--headless", "--steps", "5", "--csv", "/dev/stdout"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2 and "is where this program's own output goes" in done.stderr
    assert "--csv - writes the CSV to standard output" in done.stderr and out.read_text() == ""


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_ctrl_c_stops_a_headless_run_between_chunks_with_its_summary_and_a_whole_csv(tmp_path, capsys, monkeypatch):
    from app.model.run_record import RunRecord

    path = tmp_path / "run.csv"
    append = RunRecord.append

    def append_then_interrupt(record, chunk):
        append(record, chunk)
        signal.raise_signal(signal.SIGINT)  # Ctrl+C while the run is under way

    monkeypatch.setattr(RunRecord, "append", append_then_interrupt)
    argv = ["--headless", "--task", "digits", "--steps", "1000000", "--csv", str(path)]
    assert main(argv) == 130
    out, err = capsys.readouterr()
    steps = {int(_fields(line)["steps"]) for line in out.strip().splitlines()}
    assert len(steps) == 1 and 0 < steps.pop() < 1_000_000
    (said,) = err.strip().splitlines()
    assert said.startswith("train-step-lab: interrupted after ") and "the lines above and the CSV hold those" in said
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 2 * int(_fields(out.splitlines()[0])["steps"])


def test_ctrl_c_stops_a_headless_sweep_with_the_rows_so_far(capsys, monkeypatch):
    from app.training.sweep import SweepRun

    advance = SweepRun.advance

    def advance_then_interrupt(run):
        result = advance(run)
        if run.done:
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(SweepRun, "advance", advance_then_interrupt)
    assert main(["--headless", "--sweep", "64", "--steps", "500"]) == 130
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert lines[0] == "lr,final_loss" and len(lines) == 1 + 16 + 1 and lines[-1].startswith("stability_edge=")
    assert err.strip() == "train-step-lab: interrupted after 16 of 64 learning rates: the lines above hold those"


def test_main_py_takes_ctrl_c_over_before_importing_anything_but_the_standard_library():
    """A Ctrl+C before the take-over meets Python's own handler (a traceback): main.py takes it
    over first thing, and what it imports to do so is the standard library alone."""
    source = (ROOT / "main.py").read_text()
    assert source.index("interrupts.take_over()") < source.index("from app.cli import")
    code = "import sys; before = set(sys.modules); import app.interrupts; print(sorted(set(sys.modules) - before))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    imported = done.stdout.strip().strip("[]").replace("'", "").split(", ")
    assert "app.interrupts" in imported
    outside = [m for m in imported if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "app"]
    assert outside == [], outside
    assert [m for m in imported if m.split(".")[0] == "app"] == ["app", "app.interrupts"]


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
@pytest.mark.parametrize("delay", [0.0, 0.3, 1.0, 3.0, 6.0])
def test_ctrl_c_on_a_headless_process_exits_130_without_a_traceback(tmp_path, delay):
    """Whenever it comes once main.py has taken Ctrl+C over (its own imports, numpy's or
    JAX's, the compile, the run): one line and exit 130; if steps ran, the summary and a whole
    CSV of them."""
    path = tmp_path / "run.csv"
    status, out, err = interrupted(["--headless", "--task", "digits", "--steps", "1000000", "--csv", str(path)], delay)
    assert status == 130 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("train-step-lab: interrupted")
    steps = int(_fields(out.splitlines()[0])["steps"]) if out else 0
    if steps:
        assert len(list(csv.DictReader(path.open()))) == 2 * steps
    assert [p.name for p in tmp_path.iterdir()] == (["run.csv"] if steps else [])


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_a_second_ctrl_c_ends_a_headless_process_at_once():
    status, _, err = interrupted(["--headless", "--task", "digits", "--steps", "1000000"], 0.5, times=2)
    assert status == 130 and "Traceback" not in err  # JAX was still loading: it did not wait for it


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_the_csv_can_go_to_a_pipe_after_the_summary():
    done = subprocess.run(
        [sys.executable, "main.py", "--headless", "--steps", "5", "--csv", "/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and [_fields(line)["paradigm"] for line in lines[:2]] == ["linen", "nnx"]
    assert lines[2].startswith("paradigm,step,loss") and len(lines) == 2 + 1 + 10


@pytest.mark.slow  # trains digits, or runs the whole program in a process of its own
def test_a_reader_that_goes_away_ends_the_csv_quietly():
    process = subprocess.Popen(
        [sys.executable, "main.py", "--headless", "--steps", "20000", "--csv", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().startswith("paradigm,step")  # `| head -1`
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=120) == 1 and "Traceback" not in err and "Broken pipe" not in err


def test_sweep_with_csv_writes_the_sweeps_rows(tmp_path, capsys):
    path = tmp_path / "sweep.csv"
    assert main(["--headless", "--sweep", "20", "--steps", "200", "--csv", str(path)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["lr", "final_loss"] and len(rows) == 21
    assert [",".join(r) for r in rows] == printed[:21]


def test_a_clipped_sweep_still_prints_the_edge(capsys):
    assert main(["--headless", "--sweep", "8", "--steps", "100", "--clip", "1.0"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "stability_edge=0.996134"
    assert main(["--headless", "--sweep", "8", "--steps", "100", "--optimizer", "adam", "--clip", "1.0"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "stability_edge=none"


@pytest.fixture
def window(monkeypatch):
    """main() as far as the window: `run_app` is replaced by a stand-in that keeps its settings
    (no Qt), so a flag that is wrongly accepted fails the test instead of opening a window."""
    opened = []
    stand_in = types.ModuleType("app.gui.app")
    stand_in.run_app = lambda args, settings: opened.append(settings) or 0
    monkeypatch.setitem(sys.modules, "app.gui.app", stand_in)
    return opened


def test_every_display_setting_has_a_flag_in_the_window_group():
    parser = build_parser()
    (group,) = [g for g in parser._action_groups if g.title == "window display"]
    assert [a.dest for a in group._group_actions] == [f.name for f in DISPLAY_FIELDS]


ROUND_TRIPS = [
    Settings(),
    Settings(RunConfig(lr=0.3, optimizer="momentum", clip_norm=2.5)),
    Settings(RunConfig(task="digits", batch_size=32, dropout=0.3, label_smoothing=False, l2=0.0123)),
    Settings(RunConfig(task="digits", paradigm="nnx", lr=0.0001234, optimizer="adam", l2=0.0, steps=MAX_STEPS)),
    Settings(RunConfig(pitfall="forgotten-rebind", steps=300, seed=MAX_SEED)),
    Settings(RunConfig(ema_decay=0.9999, clip_norm=0.01)),
    Settings(pace="animate", rate=7),
    Settings(rate=500),
    Settings(smoothing=50),
    Settings(stop_at=0.00012345),
    Settings(stop_at=1e-08),
    Settings(log_y=True),
    Settings(show_steps=250),
    Settings(RunConfig(task="digits", lr=2.0), "animate", 25, 40, 0.02, True, 10),
]


@pytest.mark.parametrize("settings", ROUND_TRIPS, ids=command_line)
def test_the_command_line_opens_the_window_on_the_same_settings(settings, window):
    words = shlex.split(command_line(settings))
    assert words[:2] == ["python", "main.py"] and len(words) > 2  # bare, it would open the remembered settings
    assert main(words[2:]) == 0
    assert window == [settings]


def test_the_command_line_names_what_differs_in_the_tables_order():
    settings = Settings(RunConfig(lr=0.3, optimizer="momentum", clip_norm=2.5), pace="animate", log_y=True)
    assert command_line(settings) == "python main.py --lr 0.3 --optimizer momentum --clip 2.5 --pace animate --log-y"
    assert command_line(Settings()) == "python main.py --task line"


def test_the_line_fits_command_leaves_out_the_digits_settings_it_ignores(window):
    settings = Settings(RunConfig(lr=0.5, batch_size=8, dropout=0.5, label_smoothing=False))
    assert command_line(settings) == "python main.py --lr 0.5"
    assert main(["--lr", "0.5"]) == 0
    assert window == [replace(settings, run=RunConfig(lr=0.5))]


def test_display_flags_alone_keep_the_run_at_its_defaults(window):
    assert main(["--pace", "animate", "--show-steps", "200"]) == 0
    assert window == [Settings(pace="animate", show_steps=200)]
    assert main([]) == 0
    assert window[-1] is None  # no flags: the window opens on what it remembers


@pytest.mark.parametrize(
    "argv,word",
    [
        (["--lesson", "02-the-stability-edge", "--pace", "animate"], "leave out --pace"),
        (["--lesson", "02-the-stability-edge", "--no-log-y"], "leave out --log-y"),
        (["--lesson", "02-the-stability-edge", "--show-steps", "100"], "leave out --show-steps"),
        (["--rate", "0"], "rate must be a whole number from 1 to 500"),
        (["--rate", "501"], "rate must be a whole number"),
        (["--rate", "2.5"], "--rate"),
        (["--smoothing", "501"], "smoothing must be a whole number"),
        (["--stop-at", "1e-9"], "stop_at must be a number"),
        (["--stop-at", "nan"], "stop_at must be a number"),
        (["--stop-at", "0.123456789"], "more decimals"),
        (["--show-steps", "9"], "show_steps must be a whole number"),
        (["--show-steps", str(MAX_STEPS + 1)], "show_steps must be a whole number"),
        (["--pace", "slow"], "--pace"),
    ],
)
def test_display_flags_the_window_cannot_honour_exit_2(argv, word, window, capsys):
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(argv))
    assert exit_info.value.code == 2 and window == []
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and word in err and "Traceback" not in err


def test_presentation_is_for_the_window(capsys):
    assert main(["--headless", "--present"]) == 2
    assert "--present shows the window" in capsys.readouterr().err
