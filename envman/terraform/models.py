"""Typed views of terraform's JSON formats (`show -json` plans, `output -json`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from envman.errors import TerraformError
from envman.secrets.redactor import holds_secret, remember
from envman.terraform.errors import MalformedPlan

SUPPORTED_PLAN_FORMAT = 1


class Action(StrEnum):
    """One action as terraform writes it: ``show -json`` lists ``no-op``; the streamed
    ``-json`` UI messages write ``noop`` and one word for a replacement. Both spellings are
    kept as written (a member compares equal to terraform's own string); ``Actions`` judges
    them the same way."""

    NOOP = "no-op"
    NOOP_STREAMED = "noop"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    FORGET = "forget"
    MOVE = "move"
    REMOVE = "remove"
    IMPORT = "import"

    @classmethod
    def parse(cls, raw: object) -> Action | str:
        """The member for ``raw``; an empty value is a no-op; a word a newer terraform
        writes is kept as it is (never judged as a change it is not)."""
        text = str(raw or "")
        if not text:
            return cls.NOOP
        try:
            return cls(text)
        except ValueError:
            return text


# Actions that change nothing: a no-op, or a data source read.
_UNCHANGED = frozenset({Action.NOOP, Action.NOOP_STREAMED, Action.READ})


@dataclass(frozen=True)
class Actions:
    """The actions of one change (``["delete", "create"]``...), with the predicates every
    part of envman uses: the one definition of "changes nothing", "replaces"..."""

    actions: tuple[str, ...]

    @classmethod
    def of(cls, raw: str | Iterable[str] | None) -> Actions:
        """From a ``show -json`` list or one streamed action word (``replace``, ``noop``)."""
        if raw is None or raw == "":
            return cls((Action.NOOP,))
        if isinstance(raw, str):
            if raw == Action.REPLACE:
                return cls((Action.DELETE, Action.CREATE))
            return cls((Action.parse(raw),))
        if not isinstance(raw, list | tuple) or not all(isinstance(a, str) for a in raw):
            raise MalformedPlan(f"actions must be a list of words, not {_shape(raw)}")
        parsed = tuple(Action.parse(a) for a in raw)
        return cls(parsed or (Action.NOOP,))

    def noop(self) -> bool:
        return len(self.actions) == 1 and self.actions[0] in _UNCHANGED

    def create(self) -> bool:
        return self.actions == (Action.CREATE,)

    def delete(self) -> bool:
        return self.actions == (Action.DELETE,)

    def update(self) -> bool:
        return self.actions == (Action.UPDATE,)

    def replace(self) -> bool:
        return set(self.actions) == {Action.CREATE, Action.DELETE}

    def __str__(self) -> str:
        if self.replace():
            return "replace"
        return "+".join(self.actions)


def changes_nothing(action: str | None) -> bool:
    """Whether one action word (streamed or ``show -json``) changes nothing."""
    return Actions.of(action).noop()


@dataclass(frozen=True)
class Change:
    actions: Actions
    before: Any
    after: Any
    after_unknown: Any
    before_sensitive: Any
    after_sensitive: Any
    replace_paths: Any = None  # attribute paths whose change forces the replacement

    @classmethod
    def from_json(cls, data: Any, what: str) -> Change:
        raw = _object(data, what)
        return cls(
            actions=Actions.of(raw.get("actions")),
            before=raw.get("before"),
            after=raw.get("after"),
            after_unknown=raw.get("after_unknown"),
            before_sensitive=raw.get("before_sensitive"),
            after_sensitive=raw.get("after_sensitive"),
            replace_paths=raw.get("replace_paths"),
        )


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    name: str
    mode: str
    change: Change
    action_reason: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> ResourceChange:
        data = _object(data, "a resource change")
        reason = data.get("action_reason")
        return cls(
            address=str(data.get("address", "")),
            type=str(data.get("type", "")),
            name=str(data.get("name", "")),
            mode=str(data.get("mode", "managed")),
            change=Change.from_json(data.get("change"), "the change of a resource"),
            action_reason=None if reason is None else str(reason),
        )


@dataclass(frozen=True)
class PlanSummary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    outputs_changed: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy or self.replace or self.outputs_changed)

    def as_dict(self) -> dict[str, int]:
        return {
            "add": self.add,
            "change": self.change,
            "destroy": self.destroy,
            "replace": self.replace,
        }

    def text(self) -> str:
        if not self.has_changes:
            return "no changes"
        parts = [f"{self.add} to add", f"{self.change} to change", f"{self.destroy} to destroy"]
        if self.replace:
            parts.append(f"({self.replace} replaced)")
        if self.outputs_changed and not (self.add or self.change or self.destroy):
            parts = [f"{self.outputs_changed} output(s) to change"]
        return ", ".join(parts)


@dataclass(frozen=True)
class Plan:
    format_version: str
    terraform_version: str
    resource_changes: tuple[ResourceChange, ...] = ()
    resource_drift: tuple[ResourceChange, ...] = ()
    output_changes: dict[str, Change] = field(default_factory=dict)
    prior_state: dict[str, Any] = field(default_factory=dict)
    configuration: dict[str, Any] = field(default_factory=dict)
    errored: bool = False
    variables: dict[str, Any] = field(default_factory=dict)  # name -> {"value": ...}

    @classmethod
    def from_json(cls, data: Any) -> Plan:
        """The plan of a ``show -json`` document. A document of the wrong shape raises
        ``MalformedPlan``; anything else raised here is a bug in envman, never disguised."""
        data = _object(data, "the plan")
        version = str(data.get("format_version", ""))
        major = version.split(".")[0]
        if not major.isdigit() or int(major) != SUPPORTED_PLAN_FORMAT:
            raise TerraformError(
                f"unsupported plan JSON format_version {version!r} (envman reads 1.x)",
                hint="use terraform 1.5+ or OpenTofu 1.6+",
            )
        outputs = {
            str(name): Change.from_json(raw, f"output change {name!r}")
            for name, raw in _object(data.get("output_changes"), "output_changes").items()
        }
        return cls(
            format_version=version,
            terraform_version=str(data.get("terraform_version", "")),
            resource_changes=_changes(data.get("resource_changes"), "resource_changes"),
            resource_drift=_changes(data.get("resource_drift"), "resource_drift"),
            output_changes=outputs,
            prior_state=_object(data.get("prior_state"), "prior_state"),
            configuration=_object(data.get("configuration"), "configuration"),
            errored=bool(data.get("errored", False)),
            variables=_object(data.get("variables"), "variables"),
        )

    def summary(self) -> PlanSummary:
        return summarise(self.resource_changes, self.output_changes)


def summarise(
    changes: tuple[ResourceChange, ...] | list[ResourceChange], outputs: dict[str, Change]
) -> PlanSummary:
    add = change = destroy = replace = 0
    for rc in changes:
        if rc.mode != "managed":
            continue
        acts = rc.change.actions
        if acts.replace():
            replace += 1
            add += 1
            destroy += 1
        elif acts.create():
            add += 1
        elif acts.delete():
            destroy += 1
        elif acts.update():
            change += 1
    outputs_changed = sum(1 for c in outputs.values() if not c.actions.noop())
    return PlanSummary(add, change, destroy, replace, outputs_changed)


def _shape(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _object(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object; null counts as an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedPlan(f"{what} is not an object but {_shape(value)}")
    return value


def _changes(value: Any, what: str) -> tuple[ResourceChange, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedPlan(f"{what} is not a list but {_shape(value)}")
    return tuple(ResourceChange.from_json(item) for item in value)


@dataclass(frozen=True)
class OutputValue:
    name: str
    value: Any
    sensitive: bool
    type: Any = None


def outputs_from_json(data: dict[str, Any]) -> dict[str, OutputValue]:
    return {
        name: OutputValue(
            name=name,
            value=raw.get("value"),
            sensitive=bool(raw.get("sensitive", False)),
            type=raw.get("type"),
        )
        for name, raw in data.items()
        if isinstance(raw, dict)
    }


def secured_outputs(outputs: dict[str, OutputValue]) -> dict[str, OutputValue]:
    """Outputs as read from a state: sensitive values are remembered (redacted wherever they
    show up from now on), and an output that carries a known secret is sensitive too — one
    built from a wired sensitive input, say, which its stack cannot know is secret."""
    for output in outputs.values():
        if output.sensitive:
            remember(output.value)
    return {
        name: replace(out, sensitive=True) if not out.sensitive and holds_secret(out.value) else out
        for name, out in outputs.items()
    }


def redacted_outputs(outputs: dict[str, OutputValue]) -> dict[str, Any]:
    """Non-sensitive values as they are; sensitive ones as {"sensitive": true} only."""
    return {
        name: ({"sensitive": True} if out.sensitive else out.value)
        for name, out in sorted(outputs.items())
    }
