"""Secrets stay secret (docs/security.md).

- ``redactor``: the one redaction step, fed with every sensitive value the run knows.
- ``sources``: where those values come from (sensitive variables of var files, pins, ``--set``,
  ``TF_VAR_``; sensitive outputs; webhook URLs; assumed-role credentials).
- ``streams``: envman's stdout and stderr, redacted line by line.
- ``clock``: ``ENVMAN_NOW`` on a run that changes an environment.
"""

from envman.secrets.redactor import (
    MIN_LENGTH,
    REDACTED,
    redact,
    redact_document,
    redact_stored,
    remember,
)

__all__ = ["MIN_LENGTH", "REDACTED", "redact", "redact_document", "redact_stored", "remember"]
