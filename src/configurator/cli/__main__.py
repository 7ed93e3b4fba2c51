"""``python -m configurator.cli``: the ``configurator`` command line, as the console script runs it."""

from __future__ import annotations

import sys

from configurator.cli.app import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
