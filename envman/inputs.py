"""The inputs of a run: tfvars, pinned inputs of the current release, --set (docs/configuration.md).

Lowest to highest precedence: stack defaults; the environment's terraform.tfvars and
*.auto.tfvars[.json]; pinned inputs; --set (or promoted / rolled-back values). envman writes
its own layers as var files under .envman/<env>/ (mode 0600) and passes every layer with
-var-file, in that order. What each variable's value is and where it came from, and what the
release pins, is worked out in ``envman.input_values``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from envman.config.stack import StackInfo
from envman.errors import UsageError
from envman.input_values import (
    Source,
    effective_values,
    next_pins,
    pin_conflicts,
    read_code_layers,
)
from envman.secrets.files import write_private
from envman.secrets.sources import remember_inputs


@dataclass(frozen=True)
class InputOptions:
    """How a run's inputs are asked for, beyond the values themselves."""

    pin: frozenset[str] = frozenset()  # --pin NAME: carry this run's value forward
    unpin: frozenset[str] = frozenset()  # --unpin NAME: drop the pin, take the code's value
    carried: frozenset[str] = frozenset()  # release-carried variables (config)
    override_source: Source = Source.SET  # what the overrides are: --set, promoted, rolled back
    override_origin: str | None = None
    bypass: tuple[str, ...] = ()  # promotion bypasses allowed with a warning (recorded)
    root: Path | None = None  # file names in the record are relative to it


@dataclass(frozen=True)
class RunInputs:
    var_files: tuple[Path, ...]
    pinned: dict[str, Any] = field(default_factory=dict)
    pinned_from: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    carry: dict[str, Any] | None = None  # the pins the release records; None: legacy rule
    unpinned: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    one_off: tuple[str, ...] = ()
    bypass: tuple[str, ...] = ()
    override_source: Source = Source.SET

    def recorded(self, sensitive: set[str]) -> dict[str, Any]:
        """What a release pins (its `inputs`), without sensitive variables."""
        merged = self.carry if self.carry is not None else {**self.pinned, **self.overrides}
        return {k: v for k, v in sorted(merged.items()) if k not in sensitive}

    def record_fields(self) -> dict[str, Any]:
        """The release fields about inputs besides `inputs` (docs/releases.md)."""
        fields: dict[str, Any] = {"values": self.values}
        if self.unpinned:
            fields["unpinned"] = list(self.unpinned)
        if self.bypass:
            fields["promotion_bypass"] = list(self.bypass)
        return fields


def parse_set(items: Iterable[str]) -> dict[str, str]:
    """NAME=VALUE items. An invalid item is refused without echoing it: it may be a secret."""
    values: dict[str, str] = {}
    for position, item in enumerate(items, start=1):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not name.replace("_", "a").replace("-", "a").isalnum():
            why = "it has no '='" if not sep else "the part before '=' is not a variable name"
            raise UsageError(
                f"invalid --set item #{position}: {why} (its text is not shown: it may be a secret)",
                hint="use --set NAME=VALUE",
            )
        values[name] = value
    return values


def check_variables(stack: StackInfo, names: Iterable[str], origin: str) -> None:
    unknown = sorted(n for n in names if n not in stack.variables)
    if unknown:
        declared = ", ".join(sorted(stack.variables)) or "none"
        raise UsageError(
            f"unknown variable{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in {origin}: "
            f"the stack {stack.directory} does not declare it",
            hint=f"declared variables: {declared}",
        )


class NonFinite(ValueError):
    """A number terraform cannot take (1e999, NaN, Infinity)."""


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise NonFinite(text)
    return number


def _no_constant(text: str) -> Any:
    raise NonFinite(text)


def convert_value(raw: str, type_text: str | None, name: str = "") -> Any:
    """--set values are strings; for non-string variables a JSON value is accepted. A
    non-finite number is refused (without echoing the value: it may be a secret)."""
    if type_text is not None and type_text.replace(" ", "") == "string":
        return raw
    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except NonFinite:
        raise UsageError(
            f"--set {name or 'value'}: not a finite number",
            hint="give a finite JSON number",
        ) from None
    except ValueError:
        return raw


@dataclass(frozen=True)
class GivenInputs:
    """The values a run is given beyond the code's: the current release's pins and --set
    (``overrides``, strings) or promoted / rolled-back values (``typed_overrides``)."""

    pinned: Mapping[str, Any] = field(default_factory=dict)
    pinned_from: int | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    typed_overrides: Mapping[str, Any] = field(default_factory=dict)


def build_inputs(
    stack: StackInfo,
    env_var_files: list[Path],
    work_dir: Path,
    given: GivenInputs | None = None,
    options: InputOptions | None = None,
) -> RunInputs:
    """Write envman's var files and return every layer, in order, plus a digest of them."""
    given = given or GivenInputs()
    pinned, pinned_from = given.pinned, given.pinned_from
    typed_overrides = given.typed_overrides
    options = options or InputOptions()
    overrides = dict(given.overrides)
    converted = _converted(stack, overrides, typed_overrides)
    _check_pin_options(stack, options, pinned, pinned_from)
    usable_pins = {
        k: v for k, v in pinned.items() if k in stack.variables and k not in options.unpin
    }
    remember_inputs(stack, env_var_files, (dict(pinned), converted))
    layers = replace(
        read_code_layers(stack, env_var_files, options.root or Path.cwd()),
        pins=usable_pins,
        pins_seq=pinned_from,
        overrides=converted,
        override_source=options.override_source,
        override_origin=options.override_origin,
    )
    values = effective_values(stack, layers)
    carry = next_pins(values, layers, options.carried, options.pin)
    inputs_dir = work_dir / "inputs"
    inputs_dir.mkdir(parents=True, exist_ok=True)
    files = list(env_var_files)
    files.append(_write_var_file(inputs_dir / "pinned.tfvars.json", usable_pins))
    files.append(_write_var_file(inputs_dir / "set.tfvars.json", converted))
    return RunInputs(
        var_files=tuple(files),
        pinned=usable_pins,
        pinned_from=pinned_from if usable_pins else None,
        overrides=converted,
        digest=inputs_digest(env_var_files, pinned),
        values=values,
        carry=carry,
        unpinned=tuple(sorted(options.unpin)),
        conflicts=tuple(pin_conflicts(layers)),
        one_off=tuple(sorted(n for n in overrides if n not in carry)),
        bypass=options.bypass,
        override_source=options.override_source,
    )


def _converted(
    stack: StackInfo, overrides: Mapping[str, str], typed: Mapping[str, Any]
) -> dict[str, Any]:
    check_variables(stack, overrides, "--set")
    converted = {n: convert_value(v, stack.variables[n].type, n) for n, v in overrides.items()}
    converted.update(typed)
    check_variables(stack, converted, "the promoted/rollback inputs")
    return converted


def _check_pin_options(
    stack: StackInfo, options: InputOptions, pinned: Mapping[str, Any], seq: int | None
) -> None:
    check_variables(stack, options.pin, "--pin")
    secret = sorted(options.pin & stack.sensitive_variables())
    if secret:
        raise UsageError(
            f"cannot pin sensitive variable {', '.join(secret)}: envman never records its value",
            hint="give it in a tfvars file or with --set on every run",
        )
    both = sorted(options.pin & options.unpin)
    if both:
        raise UsageError(f"--pin and --unpin of the same variable: {', '.join(both)}")
    loose = sorted(n for n in options.unpin if n not in pinned)
    if loose:
        where = f"release #{seq}" if seq is not None else "no release"
        shown = ", ".join(sorted(pinned)) or "none"
        raise UsageError(
            f"{', '.join(loose)} is not pinned ({where} pins: {shown})",
            hint="--unpin names a variable the current release pins",
        )


def inputs_digest(env_var_files: Iterable[Path], pinned: Mapping[str, Any]) -> str:
    """What a saved plan depended on besides --set: the env's tfvars and the pinned inputs."""
    digest = hashlib.sha256()
    for path in env_var_files:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(dict(pinned), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _write_var_file(path: Path, values: Mapping[str, Any]) -> Path:
    """A var file holds its values by necessity: owner-only, removed when the run ends."""
    text = json.dumps(dict(values), indent=2, sort_keys=True, allow_nan=False)
    write_private(path, text, redacted=False)
    return path


def scrub_overrides(work_dir: Path) -> None:
    """Empty envman's var files after a plan (the saved plan holds what apply needs), so
    secrets given on the command line or pinned by an older release do not stay."""
    for name in ("set.tfvars.json", "pinned.tfvars.json"):
        path = work_dir / "inputs" / name
        if path.exists():
            _write_var_file(path, {})
