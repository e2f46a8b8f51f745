"""A run as a standalone Jupyter notebook: the settings, the data, the step modules the
listings show (their very source, written to files by the notebook and imported), the loop
as a student writes it (the step compiled with `jax.jit` / `nnx.jit`, a Python `for`), a plot
and the headless run's summary line per paradigm. It imports jax, flax, optax, numpy and
matplotlib, never this app. Building it loads no JAX: the step modules are read as text.
"""

import ast
import base64
import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from app.model import tasks
from app.model.command_line import command_line
from app.model.config import MOMENTUM, OPTIMIZERS, RunConfig
from app.model.pitfall_notes import PITFALLS
from app.model.settings import RUN_FIELDS, Settings
from app.training.listings import module_source

STEPS = "app.training.steps."
MODULES = {
    "line": ("optimizers", "linen_step", "nnx_step"),
    "digits": ("optimizers", "linen_step", "nnx_step", "digits_loss", "digits_linen", "digits_nnx"),
}
"""The step modules each task's notebook writes out, in the order they import each other."""
PITFALL_STEPS = {
    "forgotten-rebind": (
        "linen",
        "step = jax.jit(pitfalls.forgotten_rebind)\nfor _ in range(STEPS):\n    state, metrics = step(state, x, y)",
    ),
    "optimizer-in-loop": (
        "nnx",
        "step = nnx.jit(lambda model, x, y: pitfalls.optimizer_in_loop(model, tx, x, y))\n"
        "for _ in range(STEPS):\n    metrics = step(model, x, y)",
    ),
    "outer-scope-model": (
        "nnx",
        "step = nnx.jit(pitfalls.outer_scope_train_step)\n"
        "for _ in range(STEPS):\n    metrics = step(model, optimizer, x, y)",
    ),
}
"""A pitfall that runs: its paradigm, and its loop, the pitfall's turn in place of the step
(the line marked # BUG in pitfalls.py is the mistake)."""
PITFALL_FAILS = {
    "clip-update-misuse": (
        "linen",
        "params = {'kernel': model.kernel[...], 'bias': model.bias[...]}\n"
        "pitfalls.clip_update_misuse(linen_step.create_state(params, 1, tx), x, y)",
    ),
    "missing-wrt": ("nnx", "pitfalls.missing_wrt(model, tx)"),
}
"""A pitfall whose code raises at once: its paradigm, and the call that raises."""


def notebook(settings: Settings, title: str = "", caption: str = "") -> nbformat.NotebookNode:
    """The notebook of one run (see the module's docstring)."""
    book = new_notebook(cells=_header(settings.run, title, caption, settings) + _setup(settings.run.task))
    book.cells += _run(settings.run)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return book


def lesson_notebook(lesson) -> nbformat.NotebookNode:
    """One section per lesson step: its caption, then its run (the step modules once each)."""
    cells = [new_markdown_cell(f"# {lesson.title}\n\nA lesson from Train Step Lab, one section per step.")]
    written = set()
    for number, step in enumerate(lesson.steps, 1):
        config = step.settings.run
        cells += _header(config, f"Step {number}: {step.title}", step.caption, step.settings, level="##")
        if config.task not in written:
            cells += _setup(config.task)
            written.add(config.task)
        cells += _run(config)
    book = new_notebook(cells=cells)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return book


def to_bytes(book) -> bytes:
    return (nbformat.writes(book) + "\n").encode("utf-8")


def _header(config: RunConfig, title: str, caption: str, settings: Settings, level: str = "#") -> list:
    rows = "\n".join(
        f"| {f.label} | {_shown(getattr(config, f.name))} |"
        for f in RUN_FIELDS
        if not (f.digits_only and config.task != "digits")
    )
    said = [
        f"{level} {title or 'A run from Train Step Lab'}",
        caption,
        "| setting | value |\n|---|---|\n" + rows,
        f"The same run in the app: `{command_line(settings)}`",
    ]
    return [new_markdown_cell("\n\n".join(s for s in said if s))]


def _shown(value) -> str:
    return "off" if value is None else str(value)


def _setup(task: str) -> list:
    cells = [
        new_markdown_cell(
            "The step modules below are the app's own, as its listings show them: each cell writes one "
            "to a file beside this notebook, and the next cell imports them."
        )
    ]
    for name in (*MODULES[task], "pitfalls"):
        cells.append(new_code_cell(f"%%writefile {name}.py\n{_standalone(module_source(STEPS + name))}"))
    imports = ", ".join((*MODULES[task], "pitfalls"))
    cells.append(
        new_code_cell(
            "import numpy as np\nimport jax\nimport jax.numpy as jnp\nimport optax\nfrom flax import nnx\n"
            f"import matplotlib.pyplot as plt\n\nimport {imports}"
        )
    )
    cells.append(_data(task))
    return cells


def _standalone(source: str) -> str:
    """A step module's source with the app's imports made local: sibling modules by their own
    names, the two constants of the app's config by their values."""
    source = source.replace("from app.training.steps.", "from ")
    constants = f"MOMENTUM = {MOMENTUM!r}\nOPTIMIZERS = {OPTIMIZERS!r}"
    return re.sub(r"^from app\.model\.config import MOMENTUM, OPTIMIZERS$", constants, source, flags=re.M)


def _data(task: str):
    if task == "line":
        x, y = tasks.line_fit_batch()
        return new_code_cell(
            "# The line fit's 64 points, as the app draws them (float32).\n"
            f"x = np.array({[float(v) for v in x[:, 0]]!r}, dtype=np.float32).reshape(-1, 1)\n"
            f"y = np.array({[float(v) for v in y[:, 0]]!r}, dtype=np.float32).reshape(-1, 1)"
        )
    packed = base64.b64encode(tasks.DIGITS_FILE.read_bytes()).decode("ascii")
    lines = [packed[i : i + 100] for i in range(0, len(packed), 100)]
    source = module_source("app.model.tasks")
    split = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "digits_split")
    body = ast.get_source_segment(source, split)
    return new_code_cell(
        "# The 8x8 digits (scikit-learn's copy of the UCI set, CC BY 4.0), packed into this cell.\n"
        "import base64, io\n\nDIGITS_DATA = (\n" + "\n".join(f'    "{line}"' for line in lines) + "\n)\n"
        f"DIGITS_TEST = {tasks.DIGITS_TEST}\n"
        "DIGITS_FILE = io.BytesIO(base64.b64decode(DIGITS_DATA))\n\n\n"
        + body
        + "\n\n\ntrain_x, train_y, test_x, test_y = digits_split()"
    )


def _run(config: RunConfig) -> list:
    """The run's cells: its values, the build, the loops, the plot and the summary."""
    values = (
        f"SEED = {config.seed}\nLR = np.float32({config.lr!r})\nSTEPS = {config.steps}\n"
        f"OPTIMIZER = {config.optimizer!r}\nCLIP = {_float(config.clip_norm)}\nEMA_DECAY = {_float(config.ema_decay)}\n"
        "tx = optimizers.make_tx(OPTIMIZER, LR, CLIP)\n"
        "errors = {}  # a paradigm whose faulty code raised at once: what it raised"
    )
    run = _line_run(config) if config.task == "line" else _digits_run(config)
    return [
        new_code_cell(values),
        *run,
        new_code_cell(_plot()),
        new_code_cell(_summary(config)),
    ]


def _float(value) -> str:
    return "None" if value is None else f"np.float32({value!r})"


def _line_run(config: RunConfig) -> list:
    ema = config.ema_decay is not None
    build = (
        "# One seed drives both: Linen starts from the NNX model's first weights.\n"
        f"model, optimizer, ema_model = nnx_step.create(nnx.Rngs(jax.random.key(SEED)), 1, 1, tx, ema={ema})\n"
        "params = {'kernel': model.kernel[...], 'bias': model.bias[...]}\n"
        f"state = linen_step.create_state(params, 1, tx, ema={ema})\n"
        "curves = {}"
    )
    turns = {
        "nnx": (
            "step = nnx.jit(nnx_step.train_step_with_ema)\nfor _ in range(STEPS):\n"
            "    metrics = step(model, optimizer, ema_model, x, y, EMA_DECAY)\n    record(metrics)"
            if ema
            else "step = nnx.jit(nnx_step.train_step)\nfor _ in range(STEPS):\n"
            "    metrics = step(model, optimizer, x, y)  # the model changes in place\n    record(metrics)"
        ),
        "linen": (
            "step = jax.jit(linen_step.train_step_with_ema)\nfor _ in range(STEPS):\n"
            "    state, metrics = step(state, x, y, EMA_DECAY)\n    record(metrics)"
            if ema
            else "step = jax.jit(linen_step.train_step)\nfor _ in range(STEPS):\n"
            "    state, metrics = step(state, x, y)  # a new state: rebound\n    record(metrics)"
        ),
    }
    return [new_code_cell(build), *_loops(config, turns)]


def _digits_run(config: RunConfig) -> list:
    ema = config.ema_decay is not None
    build = (
        f"BATCH_SIZE, BATCH_ROWS = {config.batch_size}, {config.structure.batch_rows}\n"
        f"L2, SMOOTHING, DROPOUT = np.float32({config.l2!r}), np.float32({0.1 if config.label_smoothing else 0.0!r}), "
        f"{config.dropout!r}\n"
        "key = jax.random.key(SEED)\n"
        "dropout_key = jax.random.fold_in(key, 2)\n"
        "rngs = nnx.Rngs(params=key, dropout=dropout_key)\n"
        f"model, optimizer, ema_model = digits_nnx.create(rngs, DROPOUT, tx, {ema})\n"
        "# One seed drives both: Linen starts from the NNX model's weights and statistics.\n"
        "variables = {\n"
        "    'params': {\n"
        "        'Dense_0': {'kernel': model.hidden.kernel[...], 'bias': model.hidden.bias[...]},\n"
        "        'BatchNorm_0': {'scale': model.norm.scale[...], 'bias': model.norm.bias[...]},\n"
        "        'Dense_1': {'kernel': model.out.kernel[...], 'bias': model.out.bias[...]},\n"
        "    },\n"
        "    'batch_stats': {'BatchNorm_0': {'mean': model.norm.mean[...], 'var': model.norm.var[...]}},\n"
        "}\n"
        f"state = digits_linen.create_state(variables, DROPOUT, tx, dropout_key, {ema})\n\n\n"
        "def batch(i):\n"
        '    """Step i\'s minibatch: BATCH_ROWS rows drawn with the seed\'s batch key, the first\n'
        '    BATCH_SIZE of them real (the rest pad it to a size the step is compiled for)."""\n'
        "    key = jax.random.fold_in(jax.random.fold_in(jax.random.key(SEED), 1), i)\n"
        "    rows = jax.random.randint(key, (BATCH_ROWS,), 0, len(train_x))\n"
        "    return {'image': train_x[rows], 'label': train_y[rows], 'mask': jnp.arange(BATCH_ROWS) < BATCH_SIZE}\n\n\n"
        "curves = {}"
    )
    turns = {
        "nnx": (
            "step = nnx.jit(digits_nnx.train_step_with_ema)\nfor i in range(STEPS):\n"
            "    metrics = step(model, optimizer, ema_model, batch(i), L2, SMOOTHING, EMA_DECAY)\n    record(metrics)"
            if ema
            else "step = nnx.jit(digits_nnx.train_step)\nfor i in range(STEPS):\n"
            "    metrics = step(model, optimizer, batch(i), L2, SMOOTHING)\n    record(metrics)"
        ),
        "linen": (
            "step = jax.jit(digits_linen.advanced_train_step_with_ema)\nfor i in range(STEPS):\n"
            "    state, metrics = step(state, batch(i), L2, SMOOTHING, EMA_DECAY)\n    record(metrics)"
            if ema
            else "step = jax.jit(digits_linen.advanced_train_step)\nfor i in range(STEPS):\n"
            "    state, metrics = step(state, batch(i), L2, SMOOTHING)\n    record(metrics)"
        ),
    }
    accuracy = new_code_cell(
        "# Test accuracy of the last weights (the app measures it every 50 steps).\n"
        "accuracy = {}\n"
        "if 'nnx' in curves:\n"
        "    accuracy['nnx'] = float(jnp.mean(digits_nnx.predict(model, test_x) == test_y))\n"
        "if 'linen' in curves:\n"
        "    accuracy['linen'] = float(jnp.mean(digits_linen.predict(state, test_x, state.params) == test_y))"
    )
    return [new_code_cell(build), *_loops(config, turns), accuracy]


def _loops(config: RunConfig, turns: dict) -> list:
    """Each paradigm's loop, or its pitfall's turn in place of its step, or the call that
    raises at once (shown with what it raised)."""
    cells = []
    for paradigm in config.paradigms:
        pitfall = config.pitfall
        note = PITFALLS.get(pitfall)
        heading = "NNX: the model changes in place" if paradigm == "nnx" else "Linen: a new TrainState each step"
        if note is not None and note.paradigm == paradigm and pitfall in PITFALL_FAILS:
            call = PITFALL_FAILS[pitfall][1]
            cells.append(new_markdown_cell(f"### {heading}, with the pitfall `{pitfall}`\n\n{note.caption}"))
            cells.append(
                new_code_cell(
                    "try:\n" + _indent(call) + "\nexcept Exception as error:  # as the app shows it\n"
                    f"    errors[{paradigm!r}] = f'{{type(error).__name__}}: {{error}}'\n"
                    f"    print(errors[{paradigm!r}])"
                )
            )
            continue
        loop = turns[paradigm]
        if note is not None and note.paradigm == paradigm and pitfall in PITFALL_STEPS:
            cells.append(new_markdown_cell(f"### {heading}, with the pitfall `{pitfall}`\n\n{note.caption}"))
            loop = PITFALL_STEPS[pitfall][1] + "\n    record(metrics)"
        else:
            cells.append(new_markdown_cell(f"### {heading}"))
        cells.append(
            new_code_cell(
                f"curves[{paradigm!r}] = {{'loss': [], 'grad_norm': [], 'ema_loss': []}}\n\n\n"
                "def record(metrics):\n"
                f"    for name, values in curves[{paradigm!r}].items():\n"
                "        if name in metrics:\n"
                "            values.append(float(metrics[name]))\n\n\n" + loop
            )
        )
    return cells


def _indent(code: str) -> str:
    return "\n".join(f"    {line}" for line in code.splitlines())


def _plot() -> str:
    return (
        "# The app's colours: Linen wide and orange under NNX, thin and blue, so both show where they agree.\n"
        "STYLE = {'linen': ('#E69F00', '#D55E00', 5), 'nnx': ('#0072B2', '#56B4E9', 1.5)}\n"
        "figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, height_ratios=(3, 1))\n"
        "for paradigm, curve in curves.items():\n"
        "    colour, ema_colour, width = STYLE[paradigm]\n"
        "    top.plot(curve['loss'], color=colour, linewidth=width, label=paradigm)\n"
        "    if curve['ema_loss']:\n"
        "        top.plot(curve['ema_loss'], '--', color=ema_colour, linewidth=width, label=f'{paradigm} EMA')\n"
        "    bottom.plot(curve['grad_norm'], color=colour, linewidth=width, label=paradigm)\n"
        "top.set(yscale='log', ylabel='loss')\n"
        "bottom.set(yscale='log', ylabel='gradient norm', xlabel='step')\n"
        "top.legend()\n"
        "plt.show()"
    )


def _summary(config: RunConfig) -> str:
    accuracy = "    if paradigm in accuracy:\n        line += f' test_accuracy={accuracy[paradigm]:.4f}'\n"
    return (
        "# The headless run's summary line, per paradigm.\n"
        "for paradigm, curve in curves.items():\n"
        "    losses = curve['loss']\n"
        "    line = f'paradigm={paradigm} steps={len(losses)} first_loss={losses[0]:.6g} final_loss={losses[-1]:.6g}'\n"
        "    if curve['ema_loss']:\n"
        "        line += f\" final_ema_loss={curve['ema_loss'][-1]:.6g}\"\n"
        + (accuracy if config.task == "digits" else "")
        + "    print(line)\n"
        "for paradigm, error in errors.items():\n"
        "    message = ' '.join(error.split())\n"
        "    print(f'paradigm={paradigm} steps=0 error=\"{message}\"')"
    )
