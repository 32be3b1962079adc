"""``python -m genq_trainer``: see :mod:`genq_trainer.cli`."""

from __future__ import annotations

import sys

from genq_trainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
