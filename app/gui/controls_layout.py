"""Where the controls sit in their column: the buttons first (always in view), then the run,
the digits' own settings, the step's extras, the pace and the display."""

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QVBoxLayout


def lay_out(c) -> None:
    """Arrange the widgets of the Controls `c` in their group boxes."""
    buttons = QGroupBox("Actions")
    grid = QVBoxLayout(buttons)
    for pair in (
        (c.run_button, c.stop_button),
        (c.pause_button, c.step_button),
        (c.pin_button, c.clear_pins_button),
    ):
        row = QHBoxLayout()
        for button in pair:
            row.addWidget(button)
        grid.addLayout(row)
    grid.addWidget(c.sweep_button)
    grid.addWidget(c.reset_button)
    run = _form(
        "Run",
        ("Task", c.task_combo),
        ("Show", c.paradigm_combo),
        ("Seed", c.seed_spin),
        ("Learning rate", c.lr_spin),
        (c.lr_slider,),
        ("Steps", c.steps_spin),
        ("Optimizer", c.optimizer_combo),
        ("Pitfall", c.pitfall_combo),
    )
    extras = _form("Step extras", (c.ema_check, c.ema_spin), (c.clip_check, c.clip_spin))
    _form(
        c.digits_box,
        ("Batch size", c.batch_spin),
        ("Dropout", c.dropout_combo),
        (c.smoothing_check,),
        ("L2 weight", c.l2_spin),
    )
    pace = _form("Pace", ("Mode", c.pace_combo), ("Speed", c.rate_spin), (c.rate_slider,))
    smoothing = QHBoxLayout()
    smoothing.addWidget(c.smoothing_slider, 1)
    smoothing.addWidget(c.smoothing_label)
    display = _form(
        "Display",
        ("Smoothing", smoothing),
        (c.stop_at_check, c.stop_at_spin),
        (c.log_check,),
        ("Steps shown", c.show_steps_spin),
    )
    layout = QVBoxLayout(c)
    for box in (buttons, run, c.digits_box, extras, pace, display):
        layout.addWidget(box)
    layout.addStretch(1)


def _form(box, *rows) -> QGroupBox:
    """A group box (or its title) of form rows: (label, field), (widget, field) or (widget,)."""
    box = QGroupBox(box) if isinstance(box, str) else box
    form = QFormLayout(box)
    form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a field too wide beside its label goes under it
    for row in rows:
        form.addRow(*row)
    return box
