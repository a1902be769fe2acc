"""Operating an environment outside the deploy pipeline (docs/operations.md).

``destroy`` (a planned destroy recorded as a release of kind destroy), ``tf`` (terraform
itself with the environment's setup; state-changing commands locked, confirmed and audited).

``Redact`` is the seam for secret redaction (docs/security.md): every text envman itself
prints or records here passes through one. The default changes nothing; the redactor of the
run is wired in by the commands.
"""

from __future__ import annotations

from collections.abc import Callable

Redact = Callable[[str], str]


def no_redaction(text: str) -> str:
    return text
