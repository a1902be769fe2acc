"""The repository stands on its own: no code, comment, doc or setting cites a document kept
outside it. Cite README.md or docs/*.md instead, or state the rule where it applies."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile("DES" + r"IGN(\.md)?\b|\.\./" + "shared")
SCANNED = ("envman", "docs", "tests", "bench", "scripts", "tools")
SUFFIXES = {".py", ".md", ".toml", ".hcl", ".tf", ".yml", ".yaml", ".txt", ".sh", ".json"}
# Files another change cleans; each must still hold a reference, so this list only shrinks.
# envman/cli.py: its help texts are rewritten with the CLI's one-flow dispatch.
PENDING: set[str] = set()


def _scanned_files() -> list[Path]:
    files = [ROOT / "pyproject.toml", ROOT / "Makefile"]
    for top in SCANNED:
        files += [p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return sorted(p for p in files if ".terraform" not in p.parts)


def outside_references(text: str, name: str) -> list[str]:
    return [
        f"{name}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE.search(line)
    ]


def test_nothing_cites_a_document_outside_the_repository() -> None:
    found: list[str] = []
    pending_clean: list[str] = []
    for path in _scanned_files():
        name = path.relative_to(ROOT).as_posix()
        hits = outside_references(path.read_text(errors="replace"), name)
        if name in PENDING:
            pending_clean += [] if hits else [name]
        else:
            found += hits
    assert found == [], "cite README.md or docs/*.md instead:\n" + "\n".join(found)
    assert pending_clean == [], f"clean now: remove from PENDING: {pending_clean}"


def test_the_finder_finds_each_spelling() -> None:
    word = "DES" + "IGN"
    samples = [f"({word} section 5)", f"{word} §13", f"see {word}.md", "../" + "shared/x.md"]
    for sample in samples:
        assert outside_references(sample, "f.py") == [f"f.py:1: {sample}"]
    assert outside_references("designed by a Design review (docs/releases.md)", "f.py") == []
