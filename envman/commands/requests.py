"""What the CLI asks of a deploying command: one frozen request per command (cli.py builds it).

Grouping the options keeps the command functions to (ctx, request) and lets a new option be
added in one place instead of threading one more positional argument through every caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from envman.flow.review import ReviewOutput
from envman.protect.confirm import ConfirmOptions


@dataclass(frozen=True)
class Pins:
    """--pin and --unpin: variable names to pin to / unpin from the current release."""

    pin: tuple[str, ...] = ()
    unpin: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Which components a run covers: -c (repeatable), --changed REF, --parallel."""

    components: tuple[str, ...] = ()
    changed: str | None = None
    parallel: int = 2


@dataclass(frozen=True)
class PlanRequest:
    environment: str
    sets: tuple[str, ...] = ()
    as_json: bool = False
    detailed_exitcode: bool = False
    pins: Pins = field(default_factory=Pins)
    output: ReviewOutput = field(default_factory=ReviewOutput)
    scope: Scope = field(default_factory=Scope)


@dataclass(frozen=True)
class ApplyRequest:
    environment: str
    sets: tuple[str, ...] = ()
    use_saved_plan: bool = False
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    break_glass: str | None = None
    pins: Pins = field(default_factory=Pins)
    allow_destroy: tuple[str, ...] = ()
    as_json: bool = False
    scope: Scope = field(default_factory=Scope)


@dataclass(frozen=True)
class PromoteRequest:
    target: str | None = None
    source: str | None = None
    dry_run: bool = False
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    break_glass: str | None = None
    allow_destroy: tuple[str, ...] = ()
    as_json: bool = False


@dataclass(frozen=True)
class RollbackRequest:
    environment: str
    to_seq: int | None = None
    dry_run: bool = False
    confirm: ConfirmOptions = field(default_factory=ConfirmOptions)
    allow_destroy: tuple[str, ...] = ()
    as_json: bool = False
