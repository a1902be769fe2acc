"""HCL syntax errors in words, with file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envman.config.hclfile import load_hcl
from envman.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            'description = "x"\nbackend "local" {\n  path = "a"\n',
            2,
            "unclosed block opened at line 2",
        ),
        ('a = "x\n', 1, "unclosed string"),
        ("a = [1, 2\nb = 3\n", 1, "unclosed list opened at line 1"),
        ("x {\n}\n}\n", 3, "'}' closes nothing"),
        ("x {\n  a = [1, 2}\n}\n", 2, "'}' where ']' was expected (list opened at line 2)"),
        ("a = = 1\n", 1, "unexpected"),
        (  # the block whose '}' is indented like its parent's is the one left open
            'protection {\n  freeze "h" {\n    from = "2026-12-19"\n}\nbackend "local" {\n}\n',
            2,
            "unclosed block opened at line 2",
        ),
    ],
)
def test_syntax_errors_in_words(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "environment.hcl"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_hcl(path)
    message = str(caught.value)
    assert re.match(rf"{re.escape(str(path))}:{line}(:\d+)?: invalid HCL: ", message), message
    assert words in message
    assert "Token(" not in message and "$END" not in message


def test_brackets_in_strings_comments_and_heredocs_are_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "ok.hcl"
    path.write_text('a = "{[("  # {\n// }\n/* ] */\nb = <<EOF\n{{{\nEOF\nc = "${var.x}"\nd = {\n')
    with pytest.raises(
        ConfigError, match=r"ok.hcl:8: invalid HCL: unclosed block opened at line 8"
    ):
        load_hcl(path)
