"""The plain tfvars reader gives exactly what python-hcl2 gives, or declines (None)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.config.hclfile import parse_hcl_text
from envman.config.tfvars import read_tfvars
from envman.config.tfvars_plain import plain_tfvars

PLAIN = [
    'a = "x"\n',
    "b = 3\nc = -2.5\nd = true\nt = false\nu = null\n",
    'f = ""\ng = "café ü"\n',
    "i = 007\nj = 1.0\nn = 1.50\no = -0\np = 12345678901234567890\n",
    '# a comment\n\n// another\n  ah   =   "y"  \nai-b = "z"\n',
    'v = "a # b"\nae = "  sp  "\naa = "1"\nab = "true"',
    "",
    "\n\n# only comments\n",
]

DECLINED = [
    'k = "a\\\\b"\n',  # an escape
    'm = "${x}"\n',  # a template
    'y = "$${x}"\n',
    'x = "%{x}"\n',
    "e = 1e3\n",  # python-hcl2 keeps exponents as expressions
    'ag = "x" # trailing comment\n',
    'a = "x"\na = "y"\n',  # repeated name
    "l = [1, 2]\n",
    'm = { k = "v" }\n',
    "h = <<EOT\ntext\nEOT\n",
    'a = "x"\r\n',
    '/* block */\na = "x"\n',
    's = "a\tb"\n',
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_files_read_as_python_hcl2_reads_them(text: str) -> None:
    expected = parse_hcl_text(text, Path("x.tfvars"))
    got = plain_tfvars(text)
    assert got == expected
    assert got is not None
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize("text", DECLINED)
def test_anything_else_is_left_to_python_hcl2(text: str) -> None:
    assert plain_tfvars(text) is None


def test_read_tfvars_gives_the_same_either_way(tmp_path: Path) -> None:
    plain = tmp_path / "plain.tfvars"
    plain.write_text('name = "web"\nreplicas = 2\n')
    other = tmp_path / "other.tfvars"
    other.write_text('name = "web"\ntags = { team = "a" }\n')
    assert read_tfvars(plain) == {"name": "web", "replicas": 2}
    assert read_tfvars(other) == {"name": "web", "tags": {"team": "a"}}
