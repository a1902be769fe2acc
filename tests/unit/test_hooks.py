"""Hooks run for real (subprocesses): order, variables, streaming, failures, secrets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from envman.config.models import EnvironmentConfig
from envman.config.project import Environment
from envman.hooks import HookFailed, hook_environment, run_hooks
from envman.terraform.models import OutputValue

CANARY = "canary-token-1f3c9a"
SCRIPT = """
import json, os, sys
name, code = sys.argv[1], int(sys.argv[2])
with open(os.environ["HOOK_LOG"], "a") as f:
    f.write(json.dumps({"name": name, "cwd": os.getcwd(),
                        "env": {k: v for k, v in os.environ.items() if k.startswith("ENVMAN_")}}) + "\\n")
print(f"hello from {name}", flush=True)
print("second line", file=sys.stderr, flush=True)
sys.exit(code)
"""


def make_env(tmp_path: Path, hooks: list[dict[str, Any]]) -> Environment:
    directory = tmp_path / "environments" / "staging"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hook.py").write_text(SCRIPT)
    config = EnvironmentConfig.model_validate({"hook": hooks})
    return Environment(
        "staging", directory, directory / "environment.hcl", config, tmp_path, tmp_path
    )


def hook(event: str, name: str, code: int = 0, **extra: Any) -> dict[str, Any]:
    return {"__label__": event, "command": [sys.executable, "hook.py", name, str(code)], **extra}


OUTPUTS = {
    "image_tag": OutputValue("image_tag", "v2", False),
    "replicas": OutputValue("replicas", 3, False),
    "endpoints": OutputValue("endpoints", {"api": "https://x"}, False),
    "api_token": OutputValue("api_token", CANARY, True),
    "health-url": OutputValue("health-url", "http://h", False),
}


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hooks.log"
    monkeypatch.setenv("HOOK_LOG", str(path))
    monkeypatch.setenv("ENVMAN_OUTPUT_STALE", "from-the-parent")
    return path


def entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_hooks_of_the_event_run_in_file_order_with_variables(
    tmp_path: Path, log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = make_env(
        tmp_path,
        [
            hook("after_apply", "first"),
            hook("before_apply", "other"),
            hook("after_apply", "second"),
        ],
    )
    run_hooks(env, "after_apply", OUTPUTS)
    ran = entries(log)
    assert [e["name"] for e in ran] == ["first", "second"]
    variables = ran[0]["env"]
    assert variables["ENVMAN_ENVIRONMENT"] == "staging"
    assert variables["ENVMAN_EVENT"] == "after_apply"
    assert variables["ENVMAN_OUTPUT_IMAGE_TAG"] == "v2"
    assert variables["ENVMAN_OUTPUT_REPLICAS"] == "3"
    assert json.loads(variables["ENVMAN_OUTPUT_ENDPOINTS"]) == {"api": "https://x"}
    assert variables["ENVMAN_OUTPUT_HEALTH_URL"] == "http://h"
    assert "ENVMAN_OUTPUT_API_TOKEN" not in variables
    assert "ENVMAN_OUTPUT_STALE" not in variables
    assert CANARY not in json.dumps(ran)
    assert Path(ran[0]["cwd"]) == env.directory
    err = capsys.readouterr().err
    assert "[staging after_apply] hello from first" in err
    assert "[staging after_apply] second line" in err
    assert err.index("hello from first") < err.index("hello from second")


def test_no_hooks_for_event_is_a_no_op(tmp_path: Path, log: Path) -> None:
    run_hooks(make_env(tmp_path, [hook("after_apply", "x")]), "before_apply", {})
    assert not log.exists()


def test_failure_stops_later_hooks_with_one_line(tmp_path: Path, log: Path) -> None:
    env = make_env(tmp_path, [hook("after_apply", "bad", 3), hook("after_apply", "never")])
    with pytest.raises(HookFailed) as info:
        run_hooks(env, "after_apply", OUTPUTS)
    message = str(info.value)
    assert "after_apply hook" in message and "hook.py bad 3" in message
    assert "exit code 3" in message and "\n" not in message
    assert [e["name"] for e in entries(log)] == ["bad"]


def test_working_dir_is_relative_to_the_environment_folder(tmp_path: Path, log: Path) -> None:
    (tmp_path / "backend").mkdir()
    env = make_env(
        tmp_path,
        [
            {
                "__label__": "after_apply",
                "working_dir": "../../backend",
                "command": [
                    sys.executable,
                    str(tmp_path / "environments" / "staging" / "hook.py"),
                    "wd",
                    "0",
                ],
            }
        ],
    )
    run_hooks(env, "after_apply", {})
    assert Path(entries(log)[0]["cwd"]) == (tmp_path / "backend").resolve()


def test_missing_working_dir_and_missing_command(tmp_path: Path) -> None:
    env = make_env(
        tmp_path, [{"__label__": "after_apply", "command": ["true"], "working_dir": "nope"}]
    )
    with pytest.raises(HookFailed, match="does not exist"):
        run_hooks(env, "after_apply", {})
    env = make_env(tmp_path, [{"__label__": "after_apply", "command": ["no-such-cmd-xyz"]}])
    with pytest.raises(HookFailed, match="could not start"):
        run_hooks(env, "after_apply", {})


def test_timeout_kills_the_hook(tmp_path: Path) -> None:
    env = make_env(
        tmp_path,
        [
            {
                "__label__": "after_apply",
                "timeout": "1s",
                "command": ["sh", "-c", "sleep 30 & sleep 30"],
            }
        ],
    )
    with pytest.raises(HookFailed, match="timed out after 1s"):
        run_hooks(env, "after_apply", {})


def test_hook_environment_never_holds_sensitive_values(tmp_path: Path) -> None:
    env = make_env(tmp_path, [])
    values = hook_environment(env, "after_apply", OUTPUTS, {"PATH": "/bin"})
    assert CANARY not in json.dumps(values)
    assert values["PATH"] == "/bin"
