"""The promotion gate: promoted variables change only by promote from the configured source.

An environment's promoted variables are the targets of its `promotion.variables`. Changing one
another way (`apply --set`, `--unpin`) or promoting from another environment than
`promotion.from` bypasses the gate:

- with `protection { promotion_only = true }` it is refused (exit 3) unless `--break-glass
  REASON`; then it is announced and recorded as a break-glass rule ("promotion_only:...");
- without it, it goes ahead with a warning and is recorded in the release's `promotion_bypass`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from envman.config.project import Environment
from envman.errors import ProtectionRefused


@dataclass(frozen=True)
class GateResult:
    rules: tuple[str, ...] = ()  # break-glass rules overridden (recorded in break_glass)
    bypass: tuple[str, ...] = field(default_factory=tuple)  # warned bypasses (recorded)
    warnings: tuple[str, ...] = ()  # lines for the user: the command says them on stderr


def promoted_variables(env: Environment) -> frozenset[str]:
    promotion = env.config.promotion
    return frozenset(promotion.variables) if promotion is not None else frozenset()


def check_apply(
    env: Environment, set_names: Iterable[str], unpin: Iterable[str], break_glass: str | None
) -> GateResult:
    """`apply`/`plan` with --set or --unpin of promoted variables."""
    guarded = promoted_variables(env)
    touched = sorted((set(set_names) | set(unpin)) & guarded)
    if not touched:
        return GateResult()
    source = env.config.promotion.source if env.config.promotion else "?"
    what = (
        f"{', '.join(touched)} of '{env.name}' {'is' if len(touched) == 1 else 'are'} promoted "
        f"from '{source}'; changing {'it' if len(touched) == 1 else 'them'} with --set/--unpin "
        "bypasses promotion"
    )
    rule = f"promotion_only:{','.join(touched)}"
    note = f"--set/--unpin of promoted {', '.join(touched)}"
    return _decide(env, what, rule, note, break_glass)


def check_promote_source(env: Environment, source: str, break_glass: str | None) -> GateResult:
    """`promote --from SOURCE` where SOURCE is not promotion.from."""
    promotion = env.config.promotion
    if promotion is None or source == promotion.source:
        return GateResult()
    what = (
        f"'{env.name}' is promoted from '{promotion.source}'; promoting from '{source}' bypasses it"
    )
    return _decide(
        env, what, f"promotion_only:from={source}", f"promoted from '{source}'", break_glass
    )


def _decide(
    env: Environment, what: str, rule: str, note: str, break_glass: str | None
) -> GateResult:
    if not env.config.protection.promotion_only:
        return GateResult(
            bypass=(note,), warnings=(f"envman: warning: {what} (recorded in the release)",)
        )
    if break_glass is None or not break_glass.strip():
        raise ProtectionRefused(
            f"{what}: refused by protection.promotion_only",
            hint=f"promote from the source (envman promote {env.name}), or override with "
            "--break-glass REASON (recorded and notified)",
        )
    warning = f"envman: warning: break-glass on '{env.name}': {what} ({break_glass.strip()})"
    return GateResult(rules=(rule,), warnings=(warning,))
