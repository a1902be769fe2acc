"""Turn an HclDocument into a validated model, with errors that name file, line and key."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from envman.config.hclfile import LABEL, HclDocument
from envman.config.models import SINGLE_BLOCKS
from envman.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def shape_blocks(doc: HclDocument, data: dict[str, Any]) -> dict[str, Any]:
    """Collapse blocks that may appear once into a dict; give backend its config map."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SINGLE_BLOCKS:
            if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
                raise _error(doc, (key,), f"'{key}' must be a block: {key} {{ ... }}")
            if len(value) > 1:
                raise _error(
                    doc, (key,), f"block '{key}' is given {len(value)} times; give it once"
                )
            block = dict(value[0])
            if key == "backend":
                if LABEL not in block:
                    raise _error(doc, (key,), 'backend needs its type: backend "s3" { ... }')
                block = {LABEL: block.pop(LABEL), "config": block}
            out[key] = block
        else:
            out[key] = value
    return out


def validate_model(doc: HclDocument, model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _config_error(doc, model, data, exc) from None


def _config_error(
    doc: HclDocument, model: type[BaseModel], data: dict[str, Any], exc: ValidationError
) -> ConfigError:
    """One error for the user: an unknown key first (a misspelt `form` also makes `from`
    missing: the misspelling is the news), with a did-you-mean."""
    errors = exc.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    keys = _hcl_keys(data, first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    dotted = ".".join(str(k) for k in keys) or "(file)"
    if first["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, first["loc"][:-1])
        close = did_you_mean(str(keys[-1]), allowed)
        listed = f"allowed here: {', '.join(allowed)}" if allowed else "remove it"
        hint = f"did you mean '{close}'? {listed}" if close else listed
        return _error(doc, keys, f"unknown key '{keys[-1]}'", hint=hint)
    if first["type"] == "missing":
        return _error(doc, keys[:-1], f"missing required key '{dotted}'")
    if first["type"] == "literal_error":
        return _error(doc, keys, f"{dotted}: {_literal_message(first)}")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    if first["type"] == "value_error" and first["loc"][-1:] == (LABEL,):
        return _error(doc, keys, f"{message}{more}")  # a label our validators refused: named
    return _error(doc, keys, f"{dotted}: {message}{more}")


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _literal_message(error: Any) -> str:
    """`on_failure = "rollbak"`: the value, the choices, and the closest of them."""
    import re

    expected = str((error.get("ctx") or {}).get("expected", ""))
    choices = re.findall(r"'([^']*)'", expected) or [expected]
    given = error.get("input")
    close = did_you_mean(str(given), choices) if isinstance(given, str) else None
    hint = f"; did you mean '{close}'?" if close else ""
    return f"{given!r} is not one of {', '.join(choices)}{hint}"


def _error(
    doc: HclDocument, keys: tuple[str | int, ...], message: str, *, hint: str | None = None
) -> ConfigError:
    return ConfigError(message, path=str(doc.path), line=doc.line_of(keys), hint=hint)


def _hcl_keys(data: Any, loc: tuple[int | str, ...]) -> tuple[str | int, ...]:
    keys: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(item, dict) and LABEL in item:
                keys.append(str(item[LABEL]))
            else:
                keys.append(part)
            node = item
            continue
        if part == "config" and keys == ["backend"]:
            node = node.get(part) if isinstance(node, dict) else None
            continue
        if part == LABEL:
            label = node.get(LABEL) if isinstance(node, dict) else None
            keys.append(str(label) if label is not None else "label")
            continue
        keys.append(part)
        node = node.get(part) if isinstance(node, dict) else None
    return tuple(keys)


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            for f in getattr(current, "model_fields", {}).values():
                if f.alias == part:
                    field = f
        current = _model_of(field.annotation) if field is not None else None
    if current is None or not hasattr(current, "model_fields"):
        return []
    names = [f.alias or n for n, f in current.model_fields.items()]
    return sorted(n for n in names if n != LABEL)


def _model_of(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
