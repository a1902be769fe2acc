"""What the stack configures, read from a plan's ``configuration`` section (pure).

Which top-level attributes each resource's block sets (modules included), and which of them
read a sensitive variable (directly or through module inputs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from envman.drift import values


@dataclass(frozen=True)
class ConfigIndex:
    configured: dict[str, frozenset[str]]  # configuration address -> configured top-level keys
    sensitive: dict[str, frozenset[str]]  # ... -> keys whose expression reads a sensitive var

    def is_configured(self, address: str, path: values.Path) -> bool:
        keys = self.configured.get(values.strip_instance_keys(address))
        if keys is None or not path:
            return True  # not in the configuration (being removed): never call it noise
        key = path[0]
        return key in keys or (key == "tags_all" and "tags" in keys)

    def is_sensitive(self, address: str, path: values.Path) -> bool:
        keys = self.sensitive.get(values.strip_instance_keys(address), frozenset())
        return bool(path) and path[0] in keys


def index_configuration(configuration: Mapping[str, Any]) -> ConfigIndex:
    configured: dict[str, frozenset[str]] = {}
    sensitive: dict[str, frozenset[str]] = {}

    def walk(module: Mapping[str, Any], prefix: str, inherited: set[str]) -> None:
        own = {
            n
            for n, v in (module.get("variables") or {}).items()
            if isinstance(v, dict) and v.get("sensitive")
        } | inherited
        for resource in module.get("resources") or []:
            address = prefix + str(resource.get("address", ""))
            expressions = resource.get("expressions") or {}
            configured[address] = frozenset(expressions)
            sensitive[address] = frozenset(k for k, e in expressions.items() if _reads_any(e, own))
        for name, call in (module.get("module_calls") or {}).items():
            passed = {k for k, e in (call.get("expressions") or {}).items() if _reads_any(e, own)}
            walk(call.get("module") or {}, f"{prefix}module.{name}.", passed)

    walk(configuration.get("root_module") or {}, "", set())
    return ConfigIndex(configured, sensitive)


def _reads_any(expression: Any, variables: set[str]) -> bool:
    if not variables:
        return False
    wanted = {f"var.{n}" for n in variables}
    for ref in _references(expression):
        head = ".".join(values.strip_instance_keys(ref).split(".")[:2])
        if head in wanted:
            return True
    return False


def _references(expression: Any) -> Iterable[str]:
    if isinstance(expression, dict):
        for key, value in expression.items():
            if key == "references" and isinstance(value, list):
                yield from (str(v) for v in value)
            else:
                yield from _references(value)
    elif isinstance(expression, list):
        for item in expression:
            yield from _references(item)
