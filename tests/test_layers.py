"""The training core stays free of Qt: importing it loads no GUI library."""

import subprocess
import sys


def test_training_imports_no_qt():
    code = (
        "import sys, app.training, app.training.runner, app.training.programs;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6', 'superqt')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
