"""Apply a saved plan and record the release around it, whatever happens."""

from __future__ import annotations

from typing import Any

from envman.errors import EnvmanError
from envman.releases.ledger import Ledger
from envman.releases.models import Release, Status
from envman.say import Say


def set_status(
    ledger: Ledger, release: Release, status: str, *, warn: Say | None = None, **extra: Any
) -> str | None:
    """A conditional status update (retried on conflict); a failure is returned (and said
    through ``warn``), not raised."""
    release.status = Status(status)
    for key, value in extra.items():
        setattr(release, key, value)
    return _write(ledger, release, {"status": status, **extra}, warn)


def _write(
    ledger: Ledger, release: Release, changes: dict[str, Any], warn: Say | None
) -> str | None:
    try:
        ledger.update(release.seq, changes)
    except EnvmanError as exc:
        problem = (
            f"could not record release #{release.seq} as {release.status}: {exc} "
            "(the next run of the environment reconciles it)"
        )
        if warn is not None:
            warn(f"warning: {problem}")
        return problem
    return None
