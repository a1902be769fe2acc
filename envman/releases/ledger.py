"""The per-environment release ledger (docs/releases.md).

One JSON document per release, named ``<seq, 8 digits>.json`` in a ``LedgerStore``. A new
seq is allocated by exclusive create: the writer that creates the name owns the seq, so two
concurrent runs never share one. Records and auxiliary documents are changed afterwards with
conditional writes retried on conflict (``update``, ``update_doc``), never blind overwrites.
Records that cannot be read are skipped and reported in ``problems``, never fatal.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError

from envman.errors import EnvmanError
from envman.releases.head import HEAD, newer_seqs, read_head, record_name, record_seqs, write_head
from envman.releases.models import Release
from envman.releases.store import LedgerStore
from envman.secrets.redactor import redact_document
from envman.timeutil import iso, now

MAX_ALLOCATION_TRIES = 50
MAX_UPDATE_TRIES = 20


class Ledger:
    """Reads cost O(1) in the length of history: the newest seq comes from the head object
    plus a listing of what is newer, records are read newest-first and only as far as needed,
    and each record is read at most once per ``Ledger`` (this run's cache)."""

    def __init__(self, store: LedgerStore, environment: str) -> None:
        self.store = store
        self.environment = environment
        self.problems: list[str] = []
        self._loaded: dict[int, Release | None] = {}
        self._newest: int | None = None

    def describe(self) -> str:
        return self.store.describe()

    # -- reading ---------------------------------------------------------------------------

    def seqs(self) -> list[int]:
        """The seqs that have a record object, valid or not, ascending (lists everything)."""
        return record_seqs(self.store.list_names())

    def newest_seq(self) -> int:
        """The highest seq with a record object (0 for an empty ledger), found without
        listing the history: the head, checked against what is listed after it."""
        if self._newest is None:
            self._newest = self._find_newest()
        return self._newest

    def _find_newest(self) -> int:
        head = read_head(self.store)
        newer = newer_seqs(self.store, head)
        lying = head is not None and not newer and not self._exists(head.newest_seq)
        if lying:
            head, newer = None, record_seqs(self.store.list_names())
        newest = newer[-1] if newer else (head.newest_seq if head is not None else 0)
        if lying or (newest and (head is None or head.newest_seq != newest)):
            self._advance_head(newest, repair=lying)
        return newest

    def _exists(self, seq: int) -> bool:
        if seq == 0:
            return True
        data = self.store.read(record_name(seq))
        if data is not None:
            self._loaded[seq] = self._parse(seq, data)
        return data is not None

    def newest_first(self, below: int | None = None) -> Iterator[Release]:
        """Valid records from the newest down (those with seq < ``below`` when given)."""
        top = self.newest_seq() if below is None else min(below - 1, self.newest_seq())
        for seq in range(top, 0, -1):
            release = self._cached(seq)
            if release is not None:
                yield release

    def records(self, workers: int = 1) -> list[Release]:
        """Every valid record, by seq. Invalid ones are skipped and listed in ``problems``.
        With ``workers`` > 1 the records not read yet are fetched that many at a time."""
        self.problems = []
        seqs = self.seqs()
        if workers > 1:
            self._prefetch([s for s in seqs if s not in self._loaded], workers)
        return [r for r in map(self._cached, seqs) if r is not None]

    def _prefetch(self, seqs: list[int], workers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            found = list(pool.map(lambda seq: self.store.read(record_name(seq)), seqs))
        for seq, data in zip(seqs, found, strict=True):
            self._loaded[seq] = None if data is None else self._parse(seq, data)

    def page(self, limit: int | None) -> list[Release]:
        """The newest ``limit`` valid records (all when None), newest first."""
        found: list[Release] = []
        if limit is not None and limit <= 0:
            return found
        for release in self.newest_first():
            found.append(release)
            if len(found) == limit:
                break
        return found

    def latest(self) -> Release | None:
        return next(self.newest_first(), None)

    def last_successful(self) -> Release | None:
        """The newest record with status applied or verified, of any kind (a destroy too)."""
        return next((r for r in self.newest_first() if r.succeeded), None)

    def current(self) -> Release | None:
        """The newest record with status applied or verified; none once a destroy succeeded
        after it (a later apply rebuilds with the stack's own values)."""
        release = self.last_successful()
        return None if release is None or release.kind == "destroy" else release

    def previous_successful(self, before_seq: int) -> Release | None:
        """The newest record with seq < ``before_seq`` whose status is applied or verified.

        With ``before_seq`` = the current release's seq this is the default rollback target:
        the release before the current one that applied successfully.
        """
        return next(
            (r for r in self.newest_first(below=before_seq) if r.succeeded and r.kind != "destroy"),
            None,
        )

    def _cached(self, seq: int) -> Release | None:
        if seq not in self._loaded:
            self._loaded[seq] = self._load(seq)
        return self._loaded[seq]

    def get(self, seq: int) -> Release:
        release = self._cached(seq)
        if release is None:
            problem = f" ({self.problems[-1]})" if self.problems else ""
            raise EnvmanError(
                f"environment '{self.environment}' has no release {seq} "
                f"in {self.describe()}{problem}",
                hint=f"list its releases with: envman history {self.environment}",
            )
        return release

    def _load(self, seq: int) -> Release | None:
        data = self.store.read(record_name(seq))
        return None if data is None else self._parse(seq, data)

    def _parse(self, seq: int, data: bytes) -> Release | None:
        name = record_name(seq)
        try:
            release = Release.from_json(json.loads(data))
        except (ValueError, ValidationError) as exc:
            self._problem(name, _why(exc))
            return None
        foreign = self._foreign(seq, release.environment, release.seq)
        if foreign:
            self.problems.append(f"{self.describe()}{name}: {foreign}, skipped")
            return None
        return release

    def _foreign(self, seq: int, environment: object, said_seq: object) -> str | None:
        """Why a record stored as ``seq`` here is not this environment's release ``seq``
        (None: it is): a record copied from another ledger never becomes its history."""
        if environment == self.environment and said_seq == seq:
            return None
        return (
            f"foreign record (it says environment '{environment}', seq {said_seq}; "
            f"stored as '{self.environment}' seq {seq})"
        )

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
        self._newest = None  # allocate after the newest record as it is now
        seq = self.newest_seq() + 1
        for _ in range(MAX_ALLOCATION_TRIES):
            release = Release.model_validate(
                {**fields, "environment": self.environment, "seq": seq}
            )
            if self.store.create(record_name(seq), _encode(release.to_json())):
                self._created(release)
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
        self._remember(release)

    def _created(self, release: Release) -> None:
        """After the record exists: a signal here must not leave it applying unseen by its
        writer (the caller only gets it on return), so the record is marked interrupted."""
        try:
            self._remember(release)
            self._advance_head(release.seq)
        except KeyboardInterrupt:
            changes = {"status": "interrupted", "finished_at": iso(now())}
            self.update(release.seq, {**changes, "error": "interrupted while recording"})
            raise

    def _remember(self, release: Release) -> None:
        self._loaded[release.seq] = release
        self._newest = max(self._newest or 0, release.seq)

    def _advance_head(self, seq: int, *, repair: bool = False) -> None:
        """Best effort: a head that could not be written is only behind, which readers fix."""
        try:
            write_head(self.store, seq, repair=repair)
        except EnvmanError as exc:
            self.problems.append(f"{self.describe()}{HEAD}: not updated ({exc})")

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
                release = Release.from_json({**stored, **changes})
            except (ValueError, ValidationError) as exc:
                raise EnvmanError(
                    f"cannot update {self.describe()}{name}: invalid record ({_why(exc)})"
                ) from None
            foreign = self._foreign(seq, stored.get("environment"), stored.get("seq"))
            if foreign:
                raise EnvmanError(f"cannot update {self.describe()}{name}: {foreign}")
            if expect_status is not None and stored.get("status") != expect_status:
                return None
            if self.store.replace_if(name, _encode(release.to_json()), found.version):
                self._remember(release)
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
    """Records and documents as stored: the run's sensitive values redacted (an error echoed
    from terraform, a drift finding), short ones too in free text (envman.secrets). Pinned
    inputs and outputs are data read back exactly; they never hold a sensitive value."""
    clean = redact_document(doc, keep=frozenset({"inputs", "outputs"}))
    return (json.dumps(clean, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        more = exc.error_count() - 1
        return f"{where}: {first['msg']}" + (f", and {more} more" if more else "")
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return "not JSON: " + " ".join(str(exc).split())
