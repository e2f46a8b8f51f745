"""Start Train Step Lab: `python main.py` opens the window, `--headless` runs without it."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
