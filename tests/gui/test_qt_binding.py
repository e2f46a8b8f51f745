"""The Qt binding survives many queued signals: the worker thread depends on them.

PySide6 6.12.0 decrements a bool's reference count on every queued delivery to a Python
slot and aborts Python ("bool_dealloc") after a few thousand; pyproject.toml excludes it.
"""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui  # Qt's event loop in a process of its own

PROGRAM = """
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

app = QCoreApplication([])

class Receiver(QObject):
    count = 0

    @Slot(int)
    def take(self, value):
        Receiver.count += 1

class Sender(QObject):
    sent = Signal(int)

receiver, sender = Receiver(), Sender()
sender.sent.connect(receiver.take, Qt.QueuedConnection)
for i in range(5000):
    sender.sent.emit(i)
app.processEvents()
import gc; gc.collect()
print(Receiver.count)
"""


def test_five_thousand_queued_signals_do_not_crash_python():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "5000"
