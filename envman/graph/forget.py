"""`envman forget ENV -c NAME --reason R`: an orphan let go on purpose (docs/operations.md).

Its state was moved or adopted elsewhere: envman records an audit entry (kind ``forget``, in
`envman history`) and notes the release the forget covers in ``orphans/forgotten.json`` of the
ledger; the state is left alone. An orphan forgotten is no longer reported, until a later
release applies that component again.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from envman.errors import EnvmanError
from envman.graph.orphans import FORGOTTEN_DOC, Orphan
from envman.operate.audit import AuditEntry, new_entry_id
from envman.releases.ledger import Ledger
from envman.releases.provenance import actor, envman_version
from envman.secrets.redactor import redact_stored
from envman.timeutil import iso, now


def forget_orphans(ledger: Ledger, orphans: list[Orphan], reason: str) -> list[AuditEntry]:
    """One audit entry per orphan, then the forgotten document (call under the lock)."""
    entries = []
    for orphan in orphans:
        moment = iso(now())
        entry = AuditEntry(
            id=new_entry_id(),
            environment=orphan.environment,
            kind="forget",
            command=["forget", orphan.component],
            status="succeeded",
            exit_code=0,
            actor=redact_stored(actor()),
            host=socket.gethostname(),
            pid=os.getpid(),
            envman_version=envman_version(),
            started_at=moment,
            finished_at=moment,
            component=orphan.component,
            reason=redact_stored(reason),
        )
        data = (json.dumps(entry.to_json(), indent=2) + "\n").encode("utf-8")
        if not ledger.store.create(entry.name(), data):
            raise EnvmanError(f"audit entry {entry.name()} already exists", hint="run it again")
        entries.append(entry)

    def change(doc: dict[str, Any] | None) -> dict[str, Any]:
        items = dict((doc or {}).get("components") or {})
        for orphan, entry in zip(orphans, entries, strict=True):
            items[orphan.component] = {"seq": orphan.seq or 0, "audit": entry.id}
        return {"schema": 1, "components": items}

    ledger.update_doc(FORGOTTEN_DOC, change)
    return entries
