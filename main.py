"""Start Train Step Lab: `python main.py` opens the window, `--headless` runs without it."""

import sys

from app import interrupts

interrupts.take_over()  # before the imports below: a Ctrl+C during them is no traceback

from app.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
