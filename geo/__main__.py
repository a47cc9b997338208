"""``python -m geo`` → :func:`geo.cli.main`."""

import sys

from geo.cli import main

sys.exit(main())
