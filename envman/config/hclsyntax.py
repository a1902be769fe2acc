"""HCL syntax errors in words: "unclosed block opened at line 2", not the parser's tokens.

The parser (lark, under python-hcl2) reports where it gave up (often the end of the file) and
a token name (``Token('$END', '')``). ``explain`` first scans the text for what people get
wrong (an unclosed ``{``, ``[`` or ``(`` — naming the line that opened it —, a closing one
too many, a string never closed), then falls back to the parser's position in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_OPENERS = {"{": ("}", "block"), "[": ("]", "list"), "(": (")", "parenthesis")}
_CLOSERS = {close: opener for opener, (close, _) in _OPENERS.items()}
_TOKENS = {
    "$END": "the end of the file",
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "RSQB": "']'",
    "LSQB": "'['",
    "RPAR": "')'",
    "LPAR": "'('",
    "EQ": "'='",
    "COMMA": "','",
    "COLON": "':'",
    "NL_OR_COMMENT": "a new line",
    "__ANON_0": "a new line",
}


@dataclass(frozen=True)
class SyntaxProblem:
    line: int | None
    message: str
    column: int | None = None


def explain(text: str, exc: Any) -> SyntaxProblem:
    """What is wrong with ``text``, given the parser's exception ``exc``."""
    found = scan(text)
    if found is not None:
        return found
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    token = getattr(exc, "token", None)
    what = _describe(token) if token is not None else "text"
    return SyntaxProblem(
        line if isinstance(line, int) and line > 0 else None,
        f"unexpected {what}",
        column if isinstance(column, int) and column > 0 else None,
    )


def scan(text: str) -> SyntaxProblem | None:
    """Unbalanced brackets and unclosed strings, with the line where they start."""
    lines = text.splitlines()
    stack: list[tuple[str, int]] = []
    suspect: int | None = None  # a block whose closing brace is indented like an outer one's
    for char, line, in_string_start in _structure(text):
        if char == '"':
            return SyntaxProblem(in_string_start, "unclosed string (no closing quote on its line)")
        if char in _OPENERS:
            stack.append((char, line))
        elif char in _CLOSERS:
            if not stack:
                return SyntaxProblem(line, f"'{char}' closes nothing (one too many)")
            opener, opened = stack.pop()
            if _CLOSERS[char] != opener:
                close, kind = _OPENERS[opener]
                return SyntaxProblem(
                    line, f"'{char}' where '{close}' was expected ({kind} opened at line {opened})"
                )
            if suspect is None and _indent(lines, line) < _indent(lines, opened):
                suspect = opened
    if stack:
        # the block whose '}' looks like an outer block's is the one left open; else the
        # outermost: what was opened first and never closed
        opener, opened = stack[0]
        if suspect is not None and opener == "{":
            opened = suspect
        close, kind = _OPENERS[opener]
        return SyntaxProblem(opened, f"unclosed {kind} opened at line {opened} (no '{close}')")
    return None


def _indent(lines: list[str], line: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text) - len(text.lstrip(" \t"))


def _structure(text: str) -> list[tuple[str, int, int]]:
    """Brackets outside strings and comments as (char, line, 0); an unterminated string as
    ('"', line, its start line). Heredocs (<<EOF) are skipped."""
    found: list[tuple[str, int, int]] = []
    line = 1
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#" or text.startswith("//", index):
            index = _line_end(text, index)
            continue
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            close = size if close < 0 else close + 2
            line += text.count("\n", index, close)
            index = close
            continue
        elif text.startswith("<<", index):
            index, line = _skip_heredoc(text, index, line)
            continue
        elif char == '"':
            end = _string_end(text, index + 1)
            if end is None:
                return [*found, ('"', line, line)]
            index = end + 1
            continue
        elif char in _OPENERS or char in _CLOSERS:
            found.append((char, line, 0))
        index += 1
    return found


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _string_end(text: str, index: int) -> int | None:
    """The index of the quote closing a string that starts at ``index`` (on the same line;
    ``${...}`` interpolations may hold quotes)."""
    depth = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "\n" and depth == 0:
            return None
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if char == "}" and depth:
            depth -= 1
        elif char == '"' and depth == 0:
            return index
        index += 1
    return None


def _skip_heredoc(text: str, index: int, line: int) -> tuple[int, int]:
    header_end = _line_end(text, index)
    marker = text[index + 2 : header_end].strip().lstrip("-~").strip()
    if not marker.isidentifier():
        return index + 2, line
    position = header_end
    while position < len(text):
        next_end = _line_end(text, position + 1)
        line += 1
        if text[position + 1 : next_end].strip() == marker:
            return next_end, line
        position = next_end
    return len(text), line


def _describe(token: Any) -> str:
    kind = str(getattr(token, "type", ""))
    if kind in _TOKENS:
        return _TOKENS[kind]
    # never the token's text: a value there may be a secret (docs/security.md)
    return kind.lower().replace("_", " ") if kind.isidentifier() else "text"
