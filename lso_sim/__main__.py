"""``python -m lso_sim``: the same as the ``lso-sim`` command."""

import sys

from lso_sim.cli.main import main

sys.exit(main())
