"""``python -m ui [PROJECT.db] [--demo]``: the window (what ``annotator gui`` and ``annotator demo`` run)."""

import sys

from ui.app import main

sys.exit(main())
