"""`python -m dashboard` starts the dashboard, like `barometer serve`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
