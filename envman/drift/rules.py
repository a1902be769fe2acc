"""Noise rules: ``drift.ignore`` patterns and the acknowledgement baseline.

An ignore rule is ``<address glob>.<attribute path glob>`` ("aws_db_instance.*.latest_restorable_time")
or just an address glob (the whole resource). ``*`` matches any text (dots included), ``?`` one
character; everything else, ``[`` included, is literal. The attribute part matches the
finding's attribute or any prefix of it at a path boundary, so ``tags`` covers ``tags.env``.

The baseline is a ledger document (``drift/baseline.json``) of acknowledged fingerprints,
each with a reason and an expiry; an expired acknowledgement no longer hides its finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from envman.errors import EnvmanError, UsageError
from envman.timeutil import iso, parse_rfc3339, parse_time_point

BASELINE_DOC = "drift/baseline.json"


@lru_cache(maxsize=512)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _splits(rule: str) -> list[tuple[str, str | None]]:
    """Every way to read a rule as address glob + attribute glob (split at a dot)."""
    options: list[tuple[str, str | None]] = [(rule, None)]
    for index, char in enumerate(rule):
        if char == "." and 0 < index < len(rule) - 1:
            options.append((rule[:index], rule[index + 1 :]))
    return options


def ignored_by(rules: Sequence[str], address: str, attribute_prefixes: Sequence[str]) -> str | None:
    """The first rule that ignores the finding, or None."""
    for rule in rules:
        for address_glob, attribute_glob in _splits(rule.strip()):
            if not _glob(address_glob).fullmatch(address):
                continue
            if attribute_glob is None:
                return rule
            if any(_glob(attribute_glob).fullmatch(p) for p in attribute_prefixes):
                return rule
    return None


# -- the baseline -------------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledgement:
    fingerprint: str
    reason: str
    expires: datetime
    address: str = ""
    attribute: str = ""
    acknowledged_at: str = ""
    actor: str = ""

    def active(self, moment: datetime) -> bool:
        return moment < self.expires

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "address": self.address,
            "attribute": self.attribute,
            "reason": self.reason,
            "expires": iso(self.expires),
            "acknowledged_at": self.acknowledged_at,
            "actor": self.actor,
        }


def parse_expiry(text: str, moment: datetime) -> datetime:
    """A date means "through that day (UTC)"; an RFC 3339 time is the exact end."""
    try:
        point = parse_time_point(text)
    except ValueError as exc:
        raise UsageError(f"--expires: {exc}") from None
    if isinstance(point, datetime):
        expires = point
    else:
        assert isinstance(point, date)
        expires = datetime.combine(point + timedelta(days=1), time(0, 0), tzinfo=UTC)
    if expires <= moment:
        raise UsageError(
            f"--expires {text} is not in the future (now {iso(moment)})",
            hint="give a later date, e.g. --expires "
            + (moment + timedelta(days=30)).date().isoformat(),
        )
    return expires


def baseline_from_doc(doc: dict[str, Any] | None) -> list[Acknowledgement]:
    """The entries of a baseline document; malformed entries are skipped."""
    entries: list[Acknowledgement] = []
    for raw in (doc or {}).get("entries") or []:
        if not isinstance(raw, dict):
            continue
        try:
            expires = parse_rfc3339(str(raw["expires"]))
            entries.append(
                Acknowledgement(
                    fingerprint=str(raw["fingerprint"]),
                    reason=str(raw.get("reason", "")),
                    expires=expires,
                    address=str(raw.get("address", "")),
                    attribute=str(raw.get("attribute", "")),
                    acknowledged_at=str(raw.get("acknowledged_at", "")),
                    actor=str(raw.get("actor", "")),
                )
            )
        except (KeyError, ValueError):
            continue
    return entries


def baseline_doc_with(doc: dict[str, Any] | None, new: Acknowledgement) -> dict[str, Any]:
    """``doc`` with ``new`` added, replacing the entry of the same fingerprint. Every other
    entry is kept exactly as stored, even one this envman cannot read (a newer writer's, or a
    damaged one a person should look at): an acknowledgement never drops another."""
    doc = dict(doc or {})
    stored = doc.get("entries")
    if stored is None:
        stored = []
    if not isinstance(stored, list):
        raise EnvmanError(
            "the drift baseline's entries are not a list; it was not rewritten",
            hint="fix or remove drift/baseline.json in the environment's ledger",
        )
    kept = [
        e for e in stored if not (isinstance(e, dict) and e.get("fingerprint") == new.fingerprint)
    ]
    doc.setdefault("schema", 1)
    doc["entries"] = [*kept, new.to_json()]
    return doc


def active_fingerprints(
    entries: Sequence[Acknowledgement], moment: datetime
) -> dict[str, Acknowledgement]:
    return {e.fingerprint: e for e in entries if e.active(moment)}
