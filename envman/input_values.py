"""The effective value of every variable of a run and where it came from (docs/configuration.md,
releases).

Layers, lowest to highest precedence (the order terraform gets them in): the stack's variable
defaults; ``TF_VAR_`` environment variables; the environment's tfvars files; the pins of the
current release; ``--set`` / promoted / rolled-back values. The value of a variable is the one
of the highest layer that sets it. Sensitive variables are listed with their source only:
their value is never kept.

Which values a release pins (carries into later runs) is decided here too (``next_pins``):
a value given outside the code (promoted, rolled back, a ``--set`` of a release-carried
or already pinned variable, anything ``--pin``-ned, an earlier pin) is pinned; a value read from the code
(defaults, tfvars) follows the code.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from envman.config.hclfile import read_hcl_text
from envman.config.stack import StackInfo, read_public_defaults, tf_files
from envman.config.tfvars import read_tfvars
from envman.errors import EnvmanError

_VARIABLE_BLOCK = re.compile(r'^\s*variable\s+"', re.MULTILINE)
UNSET = "(unset)"
NOT_RECORDED = "(not recorded)"


class Source(StrEnum):
    DEFAULT = "default"
    ENVIRONMENT = "environment"  # a TF_VAR_ variable
    TFVARS = "tfvars"
    PIN = "pin"
    SET = "set"
    PROMOTION = "promotion"
    ROLLBACK = "rollback"


CODE_SOURCES = frozenset({Source.DEFAULT, Source.ENVIRONMENT, Source.TFVARS})


@dataclass(frozen=True)
class Layers:
    """What each layer sets (values of sensitive variables are dropped on reading)."""

    defaults: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    tfvars: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name -> (value, file)
    pins: dict[str, Any] = field(default_factory=dict)
    pins_seq: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    override_source: Source = Source.SET
    override_origin: str | None = None  # "staging#4" for promotion, "#2" for rollback


def stack_defaults(stack: StackInfo) -> dict[str, Any]:
    """Defaults of the stack's non-sensitive variables (a default is a literal in terraform),
    through the parse cache the stack was read with."""
    sensitive = stack.sensitive_variables()
    defaults: dict[str, Any] = {}
    for path in tf_files(stack.directory):
        try:
            if not _VARIABLE_BLOCK.search(read_hcl_text(path)):
                continue  # parsing costs ~0.1 s a file: only files that declare variables
            found = read_public_defaults(path, stack.cache_dir)
        except EnvmanError:
            continue  # reported by the stack reader and by terraform itself
        for name, value in found.items():
            expression = isinstance(value, str) and value.startswith("${")
            if name in stack.variables and name not in sensitive and not expression:
                defaults[name] = value
    return defaults


def read_code_layers(stack: StackInfo, var_files: list[Path], root: Path) -> Layers:
    """Defaults, TF_VAR_ variables and tfvars files of the run (non-sensitive values only)."""
    sensitive = stack.sensitive_variables()
    environment = {
        name: None if name in sensitive else _typed(os.environ[f"TF_VAR_{name}"], stack, name)
        for name in stack.variables
        if f"TF_VAR_{name}" in os.environ
    }
    tfvars: dict[str, tuple[Any, str]] = {}
    for path in var_files:
        shown = _relative(path, root)
        for name, value in read_tfvars(path).items():
            if name in stack.variables:
                tfvars[name] = (None if name in sensitive else value, shown)
    return Layers(defaults=stack_defaults(stack), environment=environment, tfvars=tfvars)


def effective_values(stack: StackInfo, layers: Layers) -> dict[str, dict[str, Any]]:
    """The recorded `values` of a run: per variable its value (or sensitive) and source."""
    sensitive = stack.sensitive_variables()
    found: dict[str, dict[str, Any]] = {}
    for name in sorted(stack.variables):
        entry = _entry_of(name, layers)
        if entry is None:
            if name not in sensitive:
                continue  # an expression default, or not given: terraform decides
            entry = {"source": Source.DEFAULT.value}
        if name in sensitive:
            entry = {"sensitive": True, **{k: v for k, v in entry.items() if k != "value"}}
        found[name] = entry
    return found


def code_value(name: str, layers: Layers) -> tuple[bool, Any, str | None]:
    """(given, value, file) of the code's layers alone: what the code says without pins."""
    if name in layers.tfvars:
        value, shown = layers.tfvars[name]
        return True, value, shown
    if name in layers.environment:
        return True, layers.environment[name], f"TF_VAR_{name}"
    if name in layers.defaults:
        return True, layers.defaults[name], None
    return False, None, None


def _entry_of(name: str, layers: Layers) -> dict[str, Any] | None:
    if name in layers.overrides:
        entry: dict[str, Any] = {
            "value": layers.overrides[name],
            "source": layers.override_source.value,
        }
        if layers.override_origin:
            entry["from"] = layers.override_origin
        return entry
    if name in layers.pins:
        return {"value": layers.pins[name], "source": Source.PIN.value, "seq": layers.pins_seq}
    if name in layers.tfvars:
        value, shown = layers.tfvars[name]
        return {"value": value, "source": Source.TFVARS.value, "file": shown}
    if name in layers.environment:
        return {"value": layers.environment[name], "source": Source.ENVIRONMENT.value}
    if name in layers.defaults:
        return {"value": layers.defaults[name], "source": Source.DEFAULT.value}
    return None


def next_pins(
    values: Mapping[str, dict[str, Any]],
    layers: Layers,
    carried: frozenset[str],
    pin: frozenset[str],
) -> dict[str, Any]:
    """The pins the release records (`inputs`): values given outside the code, kept."""
    pins: dict[str, Any] = {}
    for name, entry in values.items():
        if entry.get("sensitive") or "value" not in entry:
            continue
        source = entry["source"]
        value = entry["value"]
        explicit = source in (Source.PIN, Source.PROMOTION)
        kept = name in carried or name in layers.pins  # a --set replaces a pin, stays pinned
        if name in pin or explicit or (source == Source.SET and kept):
            pins[name] = value
        elif source == Source.ROLLBACK:
            given, code, _ = code_value(name, layers)
            if name in layers.pins or not given or code != value:
                pins[name] = value  # else the next plan would silently undo the rollback
    return pins


def pin_conflicts(layers: Layers) -> list[str]:
    """One line per pin that a tfvars file contradicts, with how to resolve it."""
    lines = []
    for name, pinned in sorted(layers.pins.items()):
        if name in layers.overrides or name not in layers.tfvars:
            continue
        value, shown = layers.tfvars[name]
        if value != pinned:
            lines.append(
                f"{name}: pinned to {show(pinned)} by release #{layers.pins_seq}, but {shown} "
                f"says {show(value)}; keeping the pin (run with --unpin {name} to take "
                f"{show(value)})"
            )
    return lines


def show(value: Any) -> str:
    """A value for people: strings as they are, anything else as JSON (null, not None)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _typed(raw: str, stack: StackInfo, name: str) -> Any:
    type_text = stack.variables[name].type
    if type_text is not None and type_text.replace(" ", "") == "string":
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
