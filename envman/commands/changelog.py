"""envman changelog ENV [--from REF] [--to REF]: release notes from the ledger."""

from __future__ import annotations

from envman.commands import AppContext, emit_json, emit_text
from envman.errors import EXIT_OK, UsageError
from envman.insight.changelog import Span, changelog
from envman.insight.render import InsightFormat, changelog_text
from envman.insight.sides import Ledgers
from envman.releases.labels import resolve


def run_changelog(
    ctx: AppContext, name: str, refs: tuple[str | None, str | None], fmt: InsightFormat
) -> int:
    env = ctx.project.environment(name)
    ledgers = Ledgers(ctx.project)
    ledger = ledgers.of(env.name)
    after = resolve(ledger, refs[0], "--from", introduced=True) if refs[0] is not None else None
    upto = resolve(ledger, refs[1], "--to", introduced=True) if refs[1] is not None else None
    if after is not None and upto is not None and after.seq >= upto.seq:
        raise UsageError(
            f"--from {refs[0]} (#{after.seq}) is not before --to {refs[1]} (#{upto.seq})",
            hint="--from names the release the notes start after",
        )
    document = changelog(ledgers, env, Span(after, upto))
    if fmt == InsightFormat.JSON:
        emit_json(document)
    else:
        emit_text(changelog_text(document, markdown=fmt == InsightFormat.MARKDOWN))
    return EXIT_OK
