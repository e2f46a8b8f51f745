"""Qt runs offscreen in the tests: no screen is needed. The offscreen platform is given the
screens the app is made for, a 1366×768 laptop (the primary screen), a 1280×720 projector, and a
laptop of the same size in device-independent pixels at device pixel ratio 2.
The compile cache lives in a temporary folder."""

import os
import tempfile
from pathlib import Path

SCREENS = Path(__file__).with_name("screens.json")

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}"

# Compiled steps are kept in a folder of the test session's own, never in the user's cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="train-step-lab-tests-")

# Nothing compiles ahead unless a test asks for it: the suite's runs stay what each test starts.
os.environ["TRAIN_STEP_LAB_COMPILE_AHEAD"] = "0"
