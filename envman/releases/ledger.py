"""The per-environment release ledger (DESIGN section 5).

One JSON document per release, named ``<seq, 8 digits>.json`` in a ``LedgerStore``. A new
seq is allocated by exclusive create: the writer that creates the name owns the seq, so two
concurrent runs never share one. Records and auxiliary documents are changed afterwards with
conditional writes retried on conflict (``update``, ``update_doc``), never blind overwrites.
Records that cannot be read are skipped and reported in ``problems``, never fatal.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from envman.errors import EnvmanError
from envman.releases.models import Release
from envman.releases.store import LedgerStore
from envman.timeutil import iso, now

RECORD = re.compile(r"^(\d{8,})\.json$")
MAX_ALLOCATION_TRIES = 50
MAX_UPDATE_TRIES = 20


def record_name(seq: int) -> str:
    return f"{seq:08d}.json"


class Ledger:
    def __init__(self, store: LedgerStore, environment: str) -> None:
        self.store = store
        self.environment = environment
        self.problems: list[str] = []

    def describe(self) -> str:
        return self.store.describe()

    # -- reading ---------------------------------------------------------------------------

    def seqs(self) -> list[int]:
        """The seqs that have a record object, valid or not, ascending."""
        found: list[int] = []
        for name in self.store.list_names():
            match = RECORD.match(name)
            if match:
                found.append(int(match.group(1)))
        return sorted(found)

    def records(self) -> list[Release]:
        """Every valid record, by seq. Invalid ones are skipped and listed in ``problems``."""
        self.problems = []
        releases: list[Release] = []
        for seq in self.seqs():
            release = self._load(seq)
            if release is not None:
                releases.append(release)
        return releases

    def latest(self) -> Release | None:
        records = self.records()
        return records[-1] if records else None

    def current(self) -> Release | None:
        """The newest record with status applied or verified."""
        for release in reversed(self.records()):
            if release.succeeded:
                return release
        return None

    def previous_successful(self, before_seq: int) -> Release | None:
        """The newest record with seq < ``before_seq`` whose status is applied or verified.

        With ``before_seq`` = the current release's seq this is the default rollback target:
        the release before the current one that applied successfully.
        """
        for release in reversed(self.records()):
            if release.seq < before_seq and release.succeeded:
                return release
        return None

    def get(self, seq: int) -> Release:
        release = self._load(seq)
        if release is None:
            problem = f" ({self.problems[-1]})" if self.problems else ""
            raise EnvmanError(
                f"environment '{self.environment}' has no release {seq} "
                f"in {self.describe()}{problem}",
                hint=f"list its releases with: envman releases {self.environment}",
            )
        return release

    def _load(self, seq: int) -> Release | None:
        name = record_name(seq)
        data = self.store.read(name)
        if data is None:
            return None
        try:
            release = Release.model_validate(json.loads(data))
        except (ValueError, ValidationError) as exc:
            self._problem(name, _why(exc))
            return None
        if release.seq != seq:
            self._problem(name, f"it says seq {release.seq}")
            return None
        return release

    def _problem(self, name: str, why: str) -> None:
        self.problems.append(f"{self.describe()}{name}: invalid record ({why}), skipped")

    # -- writing ---------------------------------------------------------------------------

    def begin(self, **fields: Any) -> Release:
        """Allocate the next seq and write its record with status "applying".

        ``fields`` are Release fields: ``kind`` (required), inputs, source, actor, git, ...
        ``environment`` may be given if it is this ledger's; ``seq`` is allocated here.
        """
        if "seq" in fields:
            raise TypeError("begin() allocates seq itself")
        if fields.pop("environment", self.environment) != self.environment:
            raise TypeError(f"begin(): this ledger is environment '{self.environment}'")
        fields.setdefault("status", "applying")
        fields.setdefault("started_at", iso(now()))
        existing = self.seqs()
        seq = (existing[-1] if existing else 0) + 1
        for _ in range(MAX_ALLOCATION_TRIES):
            release = Release.model_validate(
                {**fields, "environment": self.environment, "seq": seq}
            )
            if self.store.create(record_name(seq), _encode(release.to_json())):
                return release
            seq += 1
        raise EnvmanError(
            f"could not allocate a release number for '{self.environment}' in "
            f"{self.describe()} after {MAX_ALLOCATION_TRIES} tries",
            hint="too many concurrent writers; retry the command",
        )

    def save(self, release: Release) -> None:
        """Overwrite the record of ``release.seq`` unconditionally (tests, repairs by hand);
        runs use ``update``, which never loses a concurrent change."""
        if release.environment != self.environment:
            raise EnvmanError(
                f"release {release.seq} belongs to '{release.environment}', "
                f"not '{self.environment}'"
            )
        self.store.replace(record_name(release.seq), _encode(release.to_json()))

    def update(
        self, seq: int, changes: dict[str, Any], *, expect_status: str | None = None
    ) -> Release | None:
        """Set ``changes`` on the stored record of ``seq`` with a conditional write, retried
        on conflict, so a concurrent status update is never overwritten with stale fields.
        With ``expect_status``, nothing is written (None) unless the record still has it."""
        name = record_name(seq)
        for attempt in range(MAX_UPDATE_TRIES):
            found = self.store.read_versioned(name)
            if found is None:
                raise EnvmanError(
                    f"release {seq} of '{self.environment}' vanished from {self.describe()}"
                )
            try:
                stored = json.loads(found.data)
                release = Release.model_validate({**stored, **changes})
            except (ValueError, ValidationError) as exc:
                raise EnvmanError(
                    f"cannot update {self.describe()}{name}: invalid record ({_why(exc)})"
                ) from None
            if expect_status is not None and stored.get("status") != expect_status:
                return None
            if self.store.replace_if(name, _encode(release.to_json()), found.version):
                return release
            time.sleep(0.01 * (attempt + 1))
        raise EnvmanError(
            f"could not update release {seq} of '{self.environment}' in {self.describe()}: "
            f"it kept changing ({MAX_UPDATE_TRIES} tries)",
            hint="retry the command",
        )

    def update_doc(
        self, name: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]
    ) -> dict[str, Any]:
        """Read-modify-write of an auxiliary document with a conditional write, retried on
        conflict: ``change`` gets the current document (None when absent, or unreadable)."""
        for attempt in range(MAX_UPDATE_TRIES):
            found = self.store.read_versioned(name)
            current = None if found is None else self._parse_doc(name, found.data)
            doc = change(current)
            data = _encode(doc)
            if found is None:
                written = self.store.create(name, data)
            else:
                written = self.store.replace_if(name, data, found.version)
            if written:
                return doc
            time.sleep(0.01 * (attempt + 1))
        raise EnvmanError(
            f"could not update {self.describe()}{name}: it kept changing "
            f"({MAX_UPDATE_TRIES} tries)",
            hint="retry the command",
        )

    # -- auxiliary documents (drift/last.json, drift/baseline.json) -------------------------

    def read_doc(self, name: str) -> dict[str, Any] | None:
        data = self.store.read(name)
        if data is None:
            return None
        return self._parse_doc(name, data)

    def _parse_doc(self, name: str, data: bytes) -> dict[str, Any] | None:
        try:
            doc = json.loads(data)
        except ValueError as exc:
            self.problems.append(f"{self.describe()}{name}: invalid JSON ({_why(exc)}), ignored")
            return None
        if not isinstance(doc, dict):
            self.problems.append(f"{self.describe()}{name}: not a JSON object, ignored")
            return None
        return doc

    def write_doc(self, name: str, data: dict[str, Any]) -> None:
        """Overwrite a document unconditionally; concurrent writers use ``update_doc``."""
        self.store.replace(name, _encode(data))


def _encode(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        more = exc.error_count() - 1
        return f"{where}: {first['msg']}" + (f", and {more} more" if more else "")
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return "not JSON: " + " ".join(str(exc).split())
