"""envman's stdout and stderr, redacted: every line envman (rich, print, tracebacks, hook and
terraform output it passes on) writes goes through ``redact`` before it reaches the terminal.

Text is held until its line ends (or a flush), so a value written in two pieces is still
found. Bytes written to the underlying ``buffer`` bypass this; envman writes none.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

from envman.secrets.redactor import forget_all, redact


class RedactingStream:
    """A text stream that redacts whole lines before passing them on."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            cut = self._pending.rfind("\n")
            if cut >= 0:
                ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
                self.inner.write(redact(ready))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.inner.write(redact(self._pending))
                self._pending = ""
            self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def guard_output() -> None:
    """Start a run: forget values of an earlier run in this process, and redact everything
    written to stdout and stderr from now on (idempotent)."""
    forget_all()
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if not isinstance(current, RedactingStream):
            setattr(sys, name, RedactingStream(current))
