"""Qt runs offscreen in the tests: no screen is needed. The offscreen platform is given the two
screens the app is made for, a 1366×768 laptop (the primary screen) and a 1280×720 projector."""

import os
from pathlib import Path

SCREENS = Path(__file__).with_name("screens.json")

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}"
