"""Reading HCL files with python-hcl2 into plain, normalised Python data.

Normalisation: strings unquoted, no ``__is_block__`` markers; a block ``name "label" {..}``
becomes ``{"name": [{"__label__": "label", ...body}]}`` and an unlabelled block
``name {..}`` becomes ``{"name": [{...body}]}``. Line numbers are looked up in the text,
since python-hcl2 does not report them.

Parsing is the slow part of start-up (python-hcl2 loads its lark parser, ~0.15 s), so envman's
own configuration files can be read through a parse cache: one JSON file per file under
``.envman/cache/``, used only while the file's text (and the parser's version) is unchanged.
Configuration files are cached whole; stack files only as the facts envman reads from them
(variable names and flags, outputs, backend, module sources) and the defaults of variables
not marked sensitive (values the ledger records too), never a sensitive default; tfvars only
as the names they set, since they may hold secrets. Entries are authenticated with an HMAC made
with a per-user key kept outside the project (``envman.config.cachekey``): an entry someone
else wrote, or edited, is not trusted, so the cache can never change what envman does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envman.config.cachekey import cache_key, sign, verified
from envman.errors import ConfigError

LABEL = "__label__"


@dataclass(frozen=True)
class HclDocument:
    path: Path
    text: str
    data: dict[str, Any]

    def line_of(self, keys: tuple[str | int, ...]) -> int | None:
        """Best-effort line of the key path (block names, labels, attribute names)."""
        return locate_line(self.text, keys)


# python-hcl2 8.x keeps its serialization state (inside a `${...}`?) in one default context
# object shared by every call: two threads parsing at once (components plan in parallel) read
# each other's state and can leave it set for good, after which every string of the process
# keeps its quotes. One parse at a time in this process.
_HCL2_LOCK = threading.Lock()


def _options() -> Any:
    from hcl2.utils import SerializationOptions

    return SerializationOptions(
        with_comments=False,
        with_meta=False,
        wrap_objects=False,
        wrap_tuples=False,
        explicit_blocks=True,
        preserve_heredocs=False,
        strip_string_quotes=True,
    )


def parse_hcl_text(text: str, path: Path) -> dict[str, Any]:
    """Parse HCL text. A syntax error names file, line, column and the kind of error, never
    the offending text: it may be a secret's value (a tfvars file)."""
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        with _HCL2_LOCK:  # python-hcl2 serialises through one shared, mutable context object
            raw = hcl2.loads(text, serialization_options=_options())
    except (LarkError, ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        from envman.config.hclsyntax import explain

        problem = explain(text, exc if isinstance(exc, UnexpectedInput) else None)
        raise ConfigError(
            f"invalid HCL: {problem.message}",
            path=str(path),
            line=problem.line,
            column=problem.column if problem.line is not None else None,
            hint="fix the syntax there",
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError("invalid HCL: not a body", path=str(path))
    normalised = normalise(raw)
    assert isinstance(normalised, dict)
    return normalised


def read_hcl_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"cannot read file: not UTF-8 text (byte offset {exc.start})",
            path=str(path),
            hint="save it as UTF-8",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read file: {exc.__class__.__name__}: {exc.strerror or exc}",
            path=str(path),
            hint="check its permissions and encoding",
        ) from None


def load_hcl(path: Path, cache_dir: Path | None = None) -> HclDocument:
    """Read and parse one HCL file; with ``cache_dir``, through the parse cache."""
    text = read_hcl_text(path)
    if cache_dir is None:
        return HclDocument(path=path, text=text, data=parse_hcl_text(text, path))
    return HclDocument(path=path, text=text, data=cached_parse(text, path, cache_dir))


CACHE_SCHEMA = "2"


def cached_parse(
    text: str,
    path: Path,
    cache_dir: Path,
    kind: str = "config",
    extract: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``parse_hcl_text`` (then ``extract``, when given) through the parse cache: one entry per
    file and kind, used while the text, the parser's version and ``kind`` are unchanged. Only
    what ``extract`` returns is stored, so a kind can keep facts and leave values out."""
    secret = cache_key()
    if secret is None:  # no trustworthy key: nothing is cached or trusted
        parsed = parse_hcl_text(text, path)
        return extract(parsed) if extract is not None else parsed
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    entry = cache_dir / f"{kind}-{name}.json"
    key = hashlib.sha256(
        f"{CACHE_SCHEMA}\0{kind}\0{_parser_version()}\0{text}".encode()
    ).hexdigest()
    cached = _read_cache_entry(entry)
    if cached is not None and cached.get("key") == key and isinstance(cached.get("data"), dict):
        payload = {"key": key, "kind": kind, "path": str(path), "data": cached["data"]}
        if cached.get("path") == str(path) and verified(secret, payload, cached.get("mac")):
            trusted: dict[str, Any] = cached["data"]
            return trusted
    data = parse_hcl_text(text, path)
    if extract is not None:
        data = extract(data)
    payload = {"key": key, "kind": kind, "path": str(path), "data": data}
    _write_cache_entry(entry, {**payload, "mac": sign(secret, payload)})
    return data


def _parser_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("python-hcl2")
    except PackageNotFoundError:
        return "unknown"


def _read_cache_entry(entry: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return None  # no entry, or a damaged one: parse again
    return loaded if isinstance(loaded, dict) else None


def _write_cache_entry(entry: Path, payload: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written only costs the next run a parse."""
    temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(temporary, entry)
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "__is_block__" or key.startswith("__comment"):
                continue
            if isinstance(item, list) and item and all(_is_block(x) for x in item):
                out[key] = [_normalise_block(x) for x in item]
            else:
                out[key] = normalise(item)
        return out
    if isinstance(value, list):
        return [normalise(x) for x in value]
    return value


def _is_block(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    if item.get("__is_block__") is True:
        return True
    if len(item) == 1:
        inner = next(iter(item.values()))
        return isinstance(inner, dict) and (inner.get("__is_block__") is True or _is_block(inner))
    return False


def _normalise_block(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("__is_block__") is True:
        body = normalise(item)
        assert isinstance(body, dict)
        return body
    label, inner = next(iter(item.items()))
    body = _normalise_block(inner)
    if LABEL in body:  # a block with two labels: keep the outer one first
        return {**body, LABEL: f"{label}.{body[LABEL]}"}
    return {LABEL: label, **body}


_WORD = r"[A-Za-z_][A-Za-z0-9_-]*"


def locate_line(text: str, keys: tuple[str | int, ...]) -> int | None:
    """Find the line of a nested key path by scanning forward for each name in turn."""
    lines = text.splitlines()
    start = 0
    found: int | None = None
    for key in keys:
        if isinstance(key, int):
            continue
        pattern = re.compile(
            rf'^\s*(?:{re.escape(key)}\b|"{re.escape(key)}")|\s"{re.escape(key)}"\s*\{{'
        )
        for index in range(start, len(lines)):
            if pattern.search(lines[index]):
                found = index + 1
                start = index
                break
        else:
            return found
    return found
