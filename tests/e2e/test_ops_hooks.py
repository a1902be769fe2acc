"""Hooks around real terraform applies: order, variables, failure semantics, secrets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Cli

CANARY = "canary-token-1f3c9a"
SCRIPT = """
import json, os, sys
name, code = sys.argv[1], int(sys.argv[2])
state = os.path.join(os.environ["ENVMAN_TEST_ROOT"], "state", "staging.tfstate")
with open(os.environ["HOOK_LOG"], "a") as f:
    f.write(json.dumps({"name": name, "state_exists": os.path.exists(state),
                        "env": {k: v for k, v in os.environ.items()}}) + "\\n")
print(f"hook {name} says hi", flush=True)
sys.exit(code)
"""


def with_hooks(project: Path, codes: dict[str, int]) -> Cli:
    staging = project / "environments" / "staging"
    (staging / "hook.py").write_text(SCRIPT)
    blocks = []
    for name, event in (
        ("pre", "before_apply"),
        ("migrate", "after_apply"),
        ("smoke", "after_apply"),
    ):
        command = json.dumps([sys.executable, "hook.py", name, str(codes.get(name, 0))])
        blocks.append(f'hook "{event}" {{\n  command = {command}\n  timeout = "30s"\n}}\n')
    path = staging / "environment.hcl"
    path.write_text(path.read_text() + "\n" + "\n".join(blocks))
    return Cli(project)


@pytest.fixture
def log(basic_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVMAN_TEST_ROOT", str(basic_project))
    path = basic_project / "hooks.log"
    monkeypatch.setenv("HOOK_LOG", str(path))
    return path


def entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def releases(cli: Cli) -> list[dict[str, Any]]:
    return list(reversed(json.loads(cli("history", "staging", "--json").stdout)))


def test_hooks_run_in_order_with_outputs(basic_project: Path, log: Path) -> None:
    cli = with_hooks(basic_project, {})
    result = cli("apply", "staging", "--set", "image_tag=v5", "--yes")
    assert result.exit_code == 0, result.output
    ran = entries(log)
    assert [e["name"] for e in ran] == ["pre", "migrate", "smoke"]
    assert ran[0]["state_exists"] is False and ran[1]["state_exists"] is True
    assert not any(k.startswith("ENVMAN_OUTPUT_") for k in ran[0]["env"])
    env = ran[1]["env"]
    assert env["ENVMAN_ENVIRONMENT"] == "staging" and env["ENVMAN_EVENT"] == "after_apply"
    assert env["ENVMAN_OUTPUT_IMAGE_TAG"] == "v5" and env["ENVMAN_OUTPUT_REPLICAS"] == "2"
    assert "ENVMAN_OUTPUT_API_TOKEN" not in env
    assert CANARY not in log.read_text()
    assert "[staging before_apply] hook pre says hi" in result.stderr
    assert "[staging after_apply] hook smoke says hi" in result.stderr
    assert releases(cli)[-1]["status"] == "applied"


def test_before_apply_failure_stops_before_terraform(basic_project: Path, log: Path) -> None:
    cli = with_hooks(basic_project, {"pre": 2})
    result = cli("apply", "staging", "--yes")
    assert result.exit_code == 1
    assert "before_apply hook" in result.stderr and "failed with exit code 2" in result.stderr
    assert [e["name"] for e in entries(log)] == ["pre"]
    assert not (basic_project / "state" / "staging.tfstate").exists()
    assert releases(cli) == []


def test_after_apply_failure_marks_the_release_failed(basic_project: Path, log: Path) -> None:
    cli = with_hooks(basic_project, {"migrate": 5})
    result = cli("apply", "staging", "--yes")
    assert result.exit_code == 1
    assert "after_apply hook" in result.stderr and "exit code 5" in result.stderr
    assert [e["name"] for e in entries(log)] == ["pre", "migrate"]
    [release] = releases(cli)
    assert release["status"] == "failed" and "hook failed" in release["error"]
