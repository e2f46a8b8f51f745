"""The settings model and its one table of fields: everything else is derived from it."""

from dataclasses import fields

import pytest

from app.cli import build_parser
from app.model.config import RunConfig
from app.model.settings import (
    DISPLAY_FIELDS,
    FIELDS,
    RUN_FIELDS,
    Settings,
    check_window_ranges,
    pin_labels,
    significant,
)


def test_every_run_setting_has_one_row_and_every_row_a_flag():
    assert {f.name for f in RUN_FIELDS} == {f.name for f in fields(RunConfig)}
    flags = {a.dest: a.option_strings for a in build_parser()._actions}
    for f in RUN_FIELDS:
        assert f"--{f.flag}" in flags[f.name], f.name
        assert f.help.endswith("."), f.name


def test_display_settings_are_part_of_settings():
    assert {f.name for f in DISPLAY_FIELDS} == {f.name for f in fields(Settings)} - {"run"}


def test_settings_round_trip_through_json():
    settings = Settings(RunConfig(lr=0.3, optimizer="adam", clip_norm=2.0), "animate", 25, 40, 0.02, True)
    assert Settings.from_json(settings.to_json()) == settings
    assert Settings.from_json({}) == Settings()


@pytest.mark.parametrize(
    "saved,problem",
    [
        ({"lr": 50}, "lr 50 is outside the window's range"),
        ({"ema_decay": 0.5}, "ema_decay 0.5 is outside"),
        ({"rate": 0}, "rate must be a whole number"),
        ({"smoothing": 1e400}, "smoothing must be a whole number"),
        ({"stop_at": 10**400}, "stop_at must be a number"),
        ({"log_y": "yes"}, "log_y must be true or false"),
        ({"pace": "slow"}, "pace must be one of"),
        ({"speed": 3}, "unknown setting 'speed'"),
    ],
)
def test_bad_settings_are_refused_by_name(saved, problem):
    with pytest.raises(ValueError, match=problem):
        Settings.from_json(saved)


def test_window_ranges_come_from_the_table():
    check_window_ranges(RunConfig(lr=FIELDS["lr"].window_range[1]))
    with pytest.raises(ValueError, match="clip_norm"):
        check_window_ranges(RunConfig(clip_norm=FIELDS["clip_norm"].window_range[1] * 2))


def test_pin_labels_name_only_what_differs():
    configs = [RunConfig(lr=0.1), RunConfig(lr=0.5, optimizer="adam"), RunConfig(lr=0.5)]
    assert pin_labels(configs) == ["lr 0.1, sgd", "lr 0.5, adam", "lr 0.5, sgd"]
    assert pin_labels([RunConfig(), RunConfig()]) == ["same settings", "same settings"]


def test_pin_labels_show_a_decimal_as_its_spin_box_does():
    configs = [RunConfig(lr=1.0456789, ema_decay=0.99), RunConfig(lr=0.1, dropout=0.3), RunConfig(lr=1e-4)]
    assert pin_labels(configs) == [
        "lr 1.045679, EMA 0.99, dropout 0.1",
        "lr 0.1, EMA off, dropout 0.3",
        "lr 0.0001, EMA off, dropout 0.1",
    ]
    assert significant(1.0456789, fewest=3) == "1.045679" and significant(7.5, fewest=3) == "7.5"
