"""``python -m smtpcodes``: the command line interface."""

import sys

from smtpcodes.cli import main

sys.exit(main())
