"""``python -m tools.sample [OUT_DIR]``: regenerate the sample folder (default ``data/sample``)."""

import sys

from tools.sample.cli import main

sys.exit(main())
