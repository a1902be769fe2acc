"""One line for the user: the ``Say`` callback domain code reports through, and the one on
stderr that commands hand it for warnings (stdout may carry a --json document)."""

from __future__ import annotations

import sys
from collections.abc import Callable

Say = Callable[[str], None]


def say_on_stderr(line: str) -> None:
    """A ``Say`` for warnings: one line on stderr, flushed."""
    print(line, file=sys.stderr, flush=True)
