"""The byte-level store behind a ledger: objects keyed by relative names (docs/releases.md).

Conditional updates: ``read_versioned`` gives a version token, ``replace_if`` / ``delete_if``
act only while the object still has it (S3 ``If-Match``; local: compare under a file lock).

Names are relative and use '/' as separator: "00000001.json", "lock.json", "drift/last.json".
Two implementations: ``LocalStore`` (a folder next to a local state file) and ``S3Store``
(a prefix next to the state object, using S3 conditional writes).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol, runtime_checkable

from envman.errors import EnvmanError


class Versioned(NamedTuple):
    data: bytes
    version: str


@runtime_checkable
class LedgerStore(Protocol):
    def list_names(self, prefix: str = "", start_after: str = "") -> list[str]:
        """Names starting with ``prefix`` (and sorting after ``start_after``), sorted.

        ``start_after`` lets a reader list only what is newer than a name it knows (S3 lists
        from there, so the cost does not grow with the history before it).
        """
        ...

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when it does not exist."""
        ...

    def create(self, name: str, data: bytes) -> bool:
        """Create the object only if absent: True if created, False if the name is taken.

        Never overwrites; a reader never sees a half-written object.
        """
        ...

    def replace(self, name: str, data: bytes) -> None:
        """Atomically write the object, overwriting any previous content."""
        ...

    def delete(self, name: str) -> None:
        """Delete the object; deleting an absent object is not an error."""
        ...

    def read_versioned(self, name: str) -> Versioned | None:
        """The object's bytes and a version token (S3: its ETag), or None when absent."""
        ...

    def replace_if(self, name: str, data: bytes, version: str) -> bool:
        """Overwrite the object only if it still has ``version``: True if written.

        A write whose response was lost and retried is recognised by reading it back.
        """
        ...

    def delete_if(self, name: str, version: str) -> bool:
        """Delete the object only if it still has ``version``: True if deleted (or gone)."""
        ...

    def describe(self) -> str:
        """Where the objects live, for messages: a name appended to it reads naturally."""
        ...


def check_name(name: str) -> str:
    """Refuse names that could escape the store (absolute, '..', empty parts)."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise EnvmanError(f"invalid ledger object name {name!r}")
    return name
