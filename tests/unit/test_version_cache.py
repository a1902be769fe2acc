"""terraform's version is asked once per binary file, and again when the file changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envman.errors import EnvmanError
from envman.terraform import binary
from envman.terraform.version_cache import cache_file

SCRIPT = """#!/bin/sh
echo asked >> "{log}"
echo '{{"terraform_version": "{version}"}}'
"""


def _fake(tmp_path: Path, version: str) -> Path:
    path = tmp_path / "terraform"
    path.write_text(SCRIPT.format(log=tmp_path / "asked.log", version=version))
    path.chmod(0o755)
    return path


def _asked(tmp_path: Path) -> int:
    log = tmp_path / "asked.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    binary._find.cache_clear()


def test_version_is_asked_once_per_binary_file(tmp_path: Path) -> None:
    path = _fake(tmp_path, "1.11.4")
    assert binary.find_binary(str(path)).version == "1.11.4"
    binary._find.cache_clear()
    assert binary.find_binary(str(path)).version == "1.11.4"
    assert _asked(tmp_path) == 1
    assert cache_file().is_file()  # in the user's cache folder, not the project


def test_a_replaced_binary_is_asked_again(tmp_path: Path) -> None:
    path = _fake(tmp_path, "1.11.4")
    binary.find_binary(str(path))
    binary._find.cache_clear()
    path.write_text(SCRIPT.format(log=tmp_path / "asked.log", version="1.12.0") + "\n")
    os.utime(path, ns=(1, 1))
    assert binary.find_binary(str(path)).version == "1.12.0"
    assert _asked(tmp_path) == 2


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    cache_file().parent.mkdir(parents=True)
    cache_file().write_text("{not json")
    path = _fake(tmp_path, "1.11.4")
    assert binary.find_binary(str(path)).version == "1.11.4"
    binary._find.cache_clear()
    assert binary.find_binary(str(path)).version == "1.11.4"
    assert _asked(tmp_path) == 1


def test_an_old_version_is_refused_even_from_the_cache(tmp_path: Path) -> None:
    path = _fake(tmp_path, "1.4.0")
    with pytest.raises(EnvmanError, match=r"envman needs >= 1\.5\.0"):
        binary.find_binary(str(path))
    binary._find.cache_clear()
    with pytest.raises(EnvmanError, match=r"envman needs >= 1\.5\.0"):
        binary.find_binary(str(path))
