"""Every `envman ...` example in README.md and docs/ is a command line envman accepts, and every
relative link in them leads to a file (and a heading) that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer._click.exceptions import UsageError

from tests.readme import README, ROOT, Example, check, documents, examples, first_command

EXAMPLES = examples(README.read_text())
DOC_EXAMPLES = [(doc, e) for doc in documents() for e in examples(doc.read_text())]


def test_the_readme_has_examples() -> None:
    commands = {e.command.split()[1] for e in EXAMPLES if e.complete and len(e.command.split()) > 1}
    assert {"plan", "apply", "promote", "rollback", "drift", "history", "outputs"} <= commands


def test_every_guide_is_checked() -> None:
    names = {d.relative_to(ROOT).as_posix() for d in documents()}
    assert {"README.md", "docs/getting-started.md", "docs/architecture.md"} <= names
    assert not any(n.startswith("docs/reference/") for n in names)


@pytest.mark.parametrize(
    ("doc", "example"),
    DOC_EXAMPLES,
    ids=[f"{d.relative_to(ROOT).as_posix()}:L{e.line}" for d, e in DOC_EXAMPLES],
)
def test_doc_example_parses(doc: Path, example: Example) -> None:
    try:
        check(example.command, complete=example.complete)
    except UsageError as exc:
        where = f"{doc.relative_to(ROOT)}:{example.line}"
        pytest.fail(f"{where}: `{example.command}`: {exc.format_message()}")


_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCED = re.compile(r"^```.*?^```", re.S | re.M)


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def broken_links(doc: Path) -> list[str]:
    """Relative links of ``doc`` to a file that does not exist, or to a missing heading."""
    broken = []
    for link in _LINK.findall(_FENCED.sub("", doc.read_text())):
        if re.match(r"^[a-z]+:", link):
            continue
        path, _, anchor = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        missing_heading = (
            anchor and target.suffix == ".md" and target.exists() and anchor not in _anchors(target)
        )
        if not target.exists() or missing_heading:
            broken.append(link)
    return broken


@pytest.mark.parametrize(
    "doc",
    [*documents(), ROOT / "terraform" / "README.md"],
    ids=lambda d: d.relative_to(ROOT).as_posix(),
)
def test_links_lead_somewhere(doc: Path) -> None:
    assert broken_links(doc) == []


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Title\n\n## Two words\n")
    doc = tmp_path / "b.md"
    doc.write_text(
        "[ok](a.md#two-words) [gone](c.md) [no heading](a.md#three) [web](https://x.org)\n"
        "```\n[in code](nowhere.md)\n```\n"
    )
    assert broken_links(doc) == ["c.md", "a.md#three"]


def test_a_shell_line_is_cut_at_its_first_operator() -> None:
    assert first_command("envman drift dev --notify; rc=$?") == "envman drift dev --notify"
    assert first_command("envman list --json | jq .") == "envman list --json"


@pytest.mark.parametrize(
    "command",
    [
        "envman drift --all",
        "envman plan",
        "envman drift baseline dev --format junit",
        "envman frobnicate",
        "envman history dev --limit many",
    ],
)
def test_the_check_catches_wrong_examples(command: str) -> None:
    with pytest.raises(UsageError):
        check(command)


def test_examples_are_found_in_code_blocks_and_prose() -> None:
    text = (
        "Run `envman plan dev` first.\n\n```\n$ envman apply dev --yes   # go\n"
        "envman [--project DIR] COMMAND\n```\n\n```hcl\nenvman = 1\n```\n"
    )
    assert examples(text) == [
        Example(1, "envman plan dev", complete=False),
        Example(4, "envman apply dev --yes", complete=True),
    ]


def test_a_command_named_in_prose_may_leave_out_its_arguments() -> None:
    check("envman plan", complete=False)
    with pytest.raises(UsageError):
        check("envman plna", complete=False)
