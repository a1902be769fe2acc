"""The one error handler: one line on stderr, the traceback with versions in the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from envman import errorlog
from envman.cli import app
from envman.errors import EXIT_REFUSED, ConfigError, ProtectionRefused


def make_project(root: Path) -> Path:
    env = root / "environments" / "dev"
    env.mkdir(parents=True)
    (env / "environment.hcl").write_text('backend "local" {\n  path = "s.tfstate"\n}\n')
    (root / "terraform").mkdir()
    return root


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--project", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_bug_is_one_line_and_a_traceback_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path)

    def broken(*_: object) -> int:
        return {"a": 1}["missing-key"]

    monkeypatch.setattr("envman.commands.list_envs.run_list", broken)
    code, _, err = invoke(root, "list")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("envman: error: internal error: KeyError: 'missing-key'")
    assert "bug in envman, please report it" in lines[0]
    assert "envman.log" in lines[0] and "Traceback" not in err
    log = (root / ".envman" / "envman.log").read_text()
    assert "Traceback (most recent call last)" in log and "missing-key" in log
    assert f"envman {errorlog.versions()['envman']}" in log and "python 3." in log
    assert "command: envman" in log
    assert (root / ".envman" / "envman.log").stat().st_mode & 0o077 == 0


def test_verbose_shows_the_traceback_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path)
    monkeypatch.setattr("envman.commands.list_envs.run_list", lambda *_: int("not a number"))
    code, _, err = invoke(root, "-v", "list")
    assert code == 1
    assert "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1].startswith("envman: error: internal error: ValueError")


def test_a_user_error_is_not_called_a_bug(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "environments" / "dev" / "environment.hcl").write_text("stak = 1\n")
    code, _, err = invoke(root, "history", "dev")
    assert code == 1
    assert "internal error" not in err and "report" not in err
    assert "environment.hcl:1" in err
    assert "user error" in (root / ".envman" / "envman.log").read_text()


def test_exit_codes_come_from_the_error(tmp_path: Path) -> None:
    outcome = errorlog.handle(ProtectionRefused("no"), tmp_path)
    assert outcome.exit_code == EXIT_REFUSED and not outcome.bug and outcome.line == "no"
    assert errorlog.handle(KeyboardInterrupt(), tmp_path).exit_code == 130
    config = errorlog.handle(ConfigError("bad", path="a.hcl", line=3), tmp_path)
    assert config.line == "a.hcl:3: bad"


def test_an_unwritable_log_never_hides_the_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    outcome = errorlog.handle(RuntimeError("boom"), blocked / "sub")
    assert outcome.bug and outcome.log is None
    assert "RuntimeError: boom" in outcome.line and "run with -v" in outcome.line


def test_the_log_is_kept_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errorlog, "MAX_LOG_BYTES", 100)
    for _ in range(3):
        errorlog.handle(RuntimeError("x" * 80), tmp_path)
    assert (tmp_path / "envman.log.1").exists()
    assert (tmp_path / "envman.log").stat().st_size < 2000
