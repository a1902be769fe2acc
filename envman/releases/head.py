"""The ledger's head object: where the newest records are, without listing the history.

``head.json`` beside the records holds the newest seq as the last writer saw it. It is a hint, never the truth: a reader lists only the names after the
head's newest record (one short request whatever the length of history), reads records
newest-first from there, and rebuilds the head from a full listing when it is missing,
unreadable or names a record that does not exist. A head that is behind (a writer died
between its record and the head) costs a reader one more record read, nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from envman.releases.store import LedgerStore

HEAD = "head.json"
RECORD = re.compile(r"^(\d{8,})\.json$")


def record_name(seq: int) -> str:
    return f"{seq:08d}.json"


@dataclass(frozen=True)
class Head:
    newest_seq: int

    def to_bytes(self) -> bytes:
        doc = {"schema": 1, "newest_seq": self.newest_seq}
        return (json.dumps(doc) + "\n").encode("utf-8")


def parse_head(data: bytes | None) -> Head | None:
    """The head in ``data``, or None when it is absent or not a head (then it is rebuilt)."""
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    newest = doc.get("newest_seq")
    if not isinstance(newest, int) or isinstance(newest, bool) or newest < 0:
        return None
    return Head(newest_seq=newest)


def record_seqs(names: list[str]) -> list[int]:
    """The seqs among object names, ascending."""
    return sorted(int(m.group(1)) for m in map(RECORD.match, names) if m)


def read_head(store: LedgerStore) -> Head | None:
    return parse_head(store.read(HEAD))


def newer_seqs(store: LedgerStore, head: Head | None) -> list[int]:
    """Record seqs newer than the head's newest (all of them without a head), ascending."""
    if head is None or head.newest_seq == 0:
        return record_seqs(store.list_names())
    return record_seqs(store.list_names(start_after=record_name(head.newest_seq)))


def write_head(store: LedgerStore, newest_seq: int, *, repair: bool = False) -> None:
    """Advance the head; it never moves back (a slower writer cannot hide a newer record)
    unless ``repair``: the reader found it naming a record that does not exist."""
    old = read_head(store)
    if repair or old is None or old.newest_seq < newest_seq:
        store.replace(HEAD, Head(newest_seq).to_bytes())
