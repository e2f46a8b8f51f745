"""Qt runs offscreen in the tests: no screen is needed. The offscreen platform is given the two
screens the app is made for, a 1366×768 laptop (the primary screen) and a 1280×720 projector;
with TRAIN_STEP_LAB_TEST_SCALE=2, the same sizes at device pixel ratio 2 (twice the pixels,
Qt scaling by 2, as on a high-density laptop).
The compile cache lives in a temporary folder."""

import os
import tempfile
from pathlib import Path

SCREENS = Path(__file__).with_name("screens.json")
if os.environ.get("TRAIN_STEP_LAB_TEST_SCALE") == "2":
    SCREENS = Path(__file__).with_name("screens_at_2x.json")
    os.environ["QT_SCALE_FACTOR"] = "2"

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}"

# Compiled steps are kept in a folder of the test session's own, never in the user's cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="train-step-lab-tests-")
# A student's copies of the exercises too: never the user's own.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="train-step-lab-tests-data-")

# Nothing compiles ahead unless a test asks for it: the suite's runs stay what each test starts.
os.environ["TRAIN_STEP_LAB_COMPILE_AHEAD"] = "0"

# The engine runs in a thread of the test's own process, where a test can reach into it (hold
# it, count its compiles, break its runner); tests/gui/test_engine_process.py and the programs
# run as a user runs them (tests/programs.py) keep it in a process of its own, as the app does.
os.environ["TRAIN_STEP_LAB_ENGINE"] = "thread"
