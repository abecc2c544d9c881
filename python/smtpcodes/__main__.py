"""``python -m smtpcodes``: the command line interface."""

import sys

from smtpcodes.cli import main

if __name__ == "__main__":
    sys.exit(main())
