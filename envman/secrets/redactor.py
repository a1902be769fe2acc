"""The one redaction step: every sensitive value the run knows becomes ``<sensitive>``.

Values are remembered as the run learns them (``remember``) in one registry per process, so
that every text envman passes on can go through the same step wherever it leaves: terminal
lines (``redact``), and what is stored or sent (``redact_stored``, ``redact_document``).

The short-value rule: a value shorter than ``MIN_LENGTH`` characters ("1", "no", "abc") is too
short to mean anything and would make every line unreadable if it were replaced wherever it
occurs, so terminal text shows it. What envman stores or sends (ledger records, drift
documents and reports, notifications, the step summary) never carries it: there it is replaced
wherever it stands as a word of its own. A sensitive number is treated like a short value in
terminal text (replacing it in a ``--json`` document would break the document), and replaced
wherever it occurs in the strings of what is stored or sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

REDACTED = "<sensitive>"
MIN_LENGTH = 4

# Keys of stored documents whose text is prose (errors, notes, findings): there short values
# are redacted too. Everywhere else only values of MIN_LENGTH or more are.
FREE_TEXT_KEYS = frozenset(
    {
        "error",
        "note",
        "reason",
        "detail",
        "message",
        "verification",
        "expected",
        "actual",
        "title",
        "lines",
        "break_glass",
        "clock_override",
    }
)

_lock = threading.Lock()
_values: set[str] = set()
_patterns: dict[bool, re.Pattern[str] | None] = {}
_pending: list[_Learning] = []  # values still being learnt in the background


class _Learning(threading.Thread):
    """One ``remember_soon``: its values are remembered, or its error kept for the reader."""

    def __init__(self, learn: Callable[[], Iterable[Any]]) -> None:
        super().__init__(name="envman-redactor", daemon=True)
        self._learn = learn
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            remember_all(self._learn())
        except BaseException as exc:  # re-raised where the values are first needed
            self.error = exc


def remember_soon(learn: Callable[[], Iterable[Any]]) -> None:
    """Learn sensitive values in the background (parsing a file while terraform starts):
    every reader of the registry (``redact``, ``known``...) first waits for them, so no text
    leaves before they are known; an error of ``learn`` is raised there."""
    learning = _Learning(learn)
    with _lock:  # started before any reader can see it (a reader joins what it sees)
        learning.start()
        _pending.append(learning)


def _settle() -> None:
    """Wait for the values being learnt in the background (cheap when there are none). Every
    reader waits for every learning it sees, even one another reader is already waiting
    for: none goes on before the values are known."""
    if not _pending:
        return
    with _lock:
        waiting = list(_pending)
    for learning in waiting:
        learning.join()
    with _lock:
        for learning in waiting:
            if learning in _pending:
                _pending.remove(learning)
    for learning in waiting:
        if learning.error is not None:
            raise learning.error


def remember(value: Any) -> None:
    """Remember a sensitive value (strings and numbers, nested in lists and maps too)."""
    found = set(_texts(value))
    if not found:
        return
    with _lock:
        if found <= _values:
            return
        _values.update(found)
        _patterns.clear()


def remember_all(values: Iterable[Any]) -> None:
    for value in values:
        remember(value)


def known() -> frozenset[str]:
    """Every remembered value (its spellings included): e.g. for drift's value masks."""
    _settle()
    with _lock:
        return frozenset(_values)


def forget_all() -> None:
    """Start afresh (a new run in the same process, e.g. under a test runner)."""
    _settle()
    with _lock:
        _values.clear()
        _patterns.clear()


def _texts(value: Any) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []  # a boolean carries one bit; "true" cannot be redacted everywhere
    if isinstance(value, int | float):
        return _spellings(json.dumps(value))
    if isinstance(value, str):
        return _spellings(value)
    if isinstance(value, Mapping):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [t for item in value for t in _texts(item)]
    return []


def _spellings(text: str) -> list[str]:
    """The value, its JSON/HCL-escaped form, and each line of a multi-line value."""
    if not text.strip():
        return []
    found = [text, json.dumps(text)[1:-1]]
    lines = [line.strip() for line in text.splitlines()]
    if len(lines) > 1:
        found.extend(line for line in lines if len(line) >= MIN_LENGTH)
    return found


def _pattern(strict: bool) -> re.Pattern[str] | None:
    _settle()
    with _lock:
        if strict in _patterns:
            return _patterns[strict]
        long = sorted((v for v in _values if _everywhere(v, strict)), key=len, reverse=True)
        parts = [re.escape(v) for v in long]
        if strict:
            short = sorted((v for v in _values if len(v) < MIN_LENGTH), key=len, reverse=True)
            parts += [rf"(?<![A-Za-z0-9_]){re.escape(v)}(?![A-Za-z0-9_])" for v in short]
        compiled = re.compile("|".join(parts)) if parts else None
        _patterns[strict] = compiled
        return compiled


_NUMBER = re.compile(r"-?[0-9][0-9.eE+-]*")


def _everywhere(value: str, strict: bool) -> bool:
    """Replaced wherever it occurs: long enough, and in terminal text not a bare number (one
    replaced inside a JSON document on stdout would break the document)."""
    return len(value) >= MIN_LENGTH and (strict or not _NUMBER.fullmatch(value))


def redact(text: str) -> str:
    """Terminal text: every known value of MIN_LENGTH characters or more replaced."""
    pattern = _pattern(False)
    return text if pattern is None or not text else pattern.sub(REDACTED, text)


def redact_stored(text: str) -> str:
    """Text that is stored or sent: short values replaced too, where they are a word."""
    pattern = _pattern(True)
    return text if pattern is None or not text else pattern.sub(REDACTED, text)


def holds_secret(value: Any) -> bool:
    """Whether a value carries a known sensitive value (in any of its strings or numbers):
    e.g. an output built from a sensitive variable that its stack does not mark sensitive."""
    return any(redact_stored(text) != text for text in _texts(value))


def redact_document(value: Any, strict: bool = False, keep: frozenset[str] = frozenset()) -> Any:
    """A JSON-like document with its strings redacted (keys included). Under the keys in
    FREE_TEXT_KEYS, and everywhere with ``strict``, short values are redacted too. Values
    under the keys in ``keep`` are data to be read back exactly (a release's pinned inputs,
    which never hold a sensitive variable): they are left as they are."""
    if isinstance(value, str):
        return redact_stored(value) if strict else redact(value)
    if isinstance(value, Mapping):
        return {
            redact(str(k)): v
            if k in keep
            else redact_document(v, strict or k in FREE_TEXT_KEYS, keep)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_document(item, strict, keep) for item in value]
    return value
