"""Reading what the insight commands need from each environment's ledger: every record once
(fetched in parallel), the count of `envman tf` audit entries, the last drift result. Local
and S3 ledgers alike (envman.releases.locate); never the state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envman.config.project import Project
from envman.insight.model import EnvHistory
from envman.operate.audit import PREFIX as AUDIT_PREFIX
from envman.releases.ledger import Ledger
from envman.releases.locate import store_for

DRIFT_DOC = "drift/last.json"  # the last drift check's result (docs/drift.md)
WORKERS = 16  # records fetched at a time (S3 reads are latency-bound)


@dataclass
class Loaded:
    histories: dict[str, EnvHistory] = field(default_factory=dict)
    ledgers: dict[str, Ledger] = field(default_factory=dict)
    drift: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def with_sources(project: Project, names: list[str]) -> list[str]:
    """``names`` and, after them, the environments they are promoted from (transitively):
    a promotion's lead time starts where its values were first released."""
    wanted = list(names)
    for name in wanted:  # grows while walking
        promotion = project.environment(name).config.promotion
        source = promotion.source if promotion is not None else None
        if source and source not in wanted and source in project.environment_names():
            wanted.append(source)
    return wanted


def load(project: Project, names: list[str], *, drift: bool = False) -> Loaded:
    loaded = Loaded()
    for name in names:
        env = project.environment(name)
        ledger = Ledger(store_for(env), name)
        releases = tuple(ledger.records(workers=WORKERS))
        audits = [n for n in ledger.store.list_names(AUDIT_PREFIX) if n.endswith(".json")]
        promotion = env.config.promotion
        loaded.histories[name] = EnvHistory(
            name=name,
            releases=releases,
            source=promotion.source if promotion is not None else None,
            audit_entries=len(audits),
        )
        loaded.ledgers[name] = ledger
        if drift:
            loaded.drift[name] = ledger.read_doc(DRIFT_DOC)
        loaded.problems.extend(ledger.problems)
    return loaded
