"""Bad input in the window: a clear message, nothing lost, never a crash or a silent change."""

import pytest
from PySide6.QtCore import QSettings, Qt

from app.gui import MainWindow
from app.gui.app import open_window
from app.model.config import RunConfig
from app.model.lessons import built_in_lessons, load_lesson
from app.model.settings import Settings
from tests.gui.conftest import shown_window, wait_for_run

pytestmark = pytest.mark.gui  # every test here builds a window

GARBAGE = {
    "window/geometry": "not a geometry",
    "look/zoom": "nan",
    "look/theme": ["a", "list"],
    "settings": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize(
    "key,value",
    [
        *GARBAGE.items(),
        ("look/zoom", "1e400"),
        ("settings", '{"seed": 1' + "0" * 5000 + "}"),
        ("settings", '{"seed": 1' + "0" * 400 + "}"),
        ("settings", '{"lr": 50}'),
        ("settings", '{"lr": NaN}'),
        ("settings", "[1, 2]"),
        ("settings", '{"smoothing": 1e400}'),
        ("settings", '{"smoothing": ' + str(10**400) + "}"),
        ("settings", '{"smoothing": -3}'),
        ("settings", '{"log_y": "maybe"}'),
        ("settings", '{"stop_at": Infinity}'),
    ],
)
def test_an_unreadable_remembered_value_is_skipped_and_said_once(qtbot, key, value):
    settings = QSettings()
    settings.setValue(key, value)
    settings.sync()
    win = shown_window(qtbot, MainWindow())
    assert win.look.zoom == 1.0 and win.look.theme == "light"
    assert win.record.config == RunConfig() and win.controls.smoothing_slider.value() == 1
    message = win.statusBar().currentMessage()
    assert "could not be read" in message and key in message
    win.shutdown()


def test_all_garbage_at_once_still_starts_with_the_defaults(qtbot):
    settings = QSettings()
    for key, value in GARBAGE.items():
        settings.setValue(key, value)
    settings.sync()
    win = shown_window(qtbot, MainWindow())
    assert win.record.config == RunConfig() and win.look.zoom == 1.0
    assert all(key in win.statusBar().currentMessage() for key in GARBAGE)
    win.shutdown()


def test_good_remembered_values_still_come_back(qtbot):
    settings = QSettings()
    settings.setValue("look/zoom", 1.3)
    settings.setValue("settings", '{"lr": 0.5, "optimizer": "momentum"}')
    settings.setValue("look/theme", "dark")
    settings.sync()
    win = shown_window(qtbot, MainWindow())
    assert win.look.zoom == 1.3 and win.look.dark and win.record.config == RunConfig(lr=0.5, optimizer="momentum")
    assert win.statusBar().currentMessage() == ""
    win.shutdown()


@pytest.mark.parametrize("spin", ["lr_spin", "l2_spin", "stop_at_spin", "ema_spin", "clip_spin"])
@pytest.mark.parametrize("typed", ["nan", "inf", "-inf"])
def test_typing_nan_or_inf_never_sets_a_value(window, qtbot, spin, typed):
    box = getattr(window.controls, spin)
    box.setEnabled(True)
    before = box.value()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), typed)
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)
    box.clearFocus()
    assert box.value() == before


def test_the_file_menu_lists_the_built_in_lessons_and_opens_them(window, qtbot):
    actions = window.lessons_menu.actions()
    assert [a.text() for a in actions] == [f"&{n}  {load_lesson(p).title}" for n, p in enumerate(built_in_lessons(), 1)]
    actions[1].trigger()
    wait_for_run(qtbot, window)
    assert window.model.lesson.path == built_in_lessons()[1]
    assert window.record.config == window.model.lesson.steps[0].settings.run


def test_a_built_in_lesson_opens_by_name(window, qtbot):
    assert window.open_lesson("02-the-stability-edge")
    wait_for_run(qtbot, window)
    assert "stability edge" in window.model.lesson.title


def test_lesson_text_is_plain_and_never_widens_the_window(window, qtbot, tmp_path):
    path = tmp_path / "plain.json"
    long_word = "x" * 3000
    path.write_text(
        '{"title": "<b>lr<edge</b>", "steps": [{"title": "a <i>b</i>", "caption": "'
        + long_word
        + ' and a caption. It wraps.", "settings": {"lr": 0.2}}]}'
    )
    width = window.minimumSizeHint().width()
    assert window.open_lesson(path)
    wait_for_run(qtbot, window)
    assert window.lesson_bar.heading.label.text().startswith("<b>lr<edge</b>")  # as shown, not as HTML
    assert window.lesson_bar.heading.label.textFormat() == Qt.PlainText
    assert window.minimumSizeHint().width() <= width


def test_the_command_lines_settings_open_in_the_window(qtbot):
    config = RunConfig(lr=0.5, optimizer="momentum", steps=300, clip_norm=2.0)
    win = shown_window(qtbot, open_window(settings=Settings(config)))
    assert win.record.config == config
    win.shutdown()
