"""``python -m cxlib.kit``: the same command as ``cxkit``."""

import sys

from .cli import main

sys.exit(main())
