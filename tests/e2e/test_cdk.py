"""Stacks written in Python: a real CDK Terrain app synthesised and run through envman.

Each synthesis costs ~2 s (Python + the jsii Node runtime), so the tests synthesise few times
and count the runs through a marker file the app appends to (SYNTH_COUNTER).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform


def need_cdk() -> None:
    missing = []
    if shutil.which("node") is None:
        missing.append("node is not on PATH")
    if importlib.util.find_spec("cdktn") is None:
        missing.append("cdktn is not installed (pip install -e '.[cdk]')")
    if missing and os.environ.get("CI"):
        pytest.fail("CI requires real parts: " + "; ".join(missing))
    if missing:
        pytest.skip("; ".join(missing))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    need_terraform()
    need_cdk()
    monkeypatch.setenv("SYNTH_COUNTER", str(tmp_path / "synth-runs"))
    return copy_fixture("cdk_tiny", tmp_path)


def synth_runs(project: Path) -> list[str]:
    marker = project.parent / "synth-runs"
    return marker.read_text().split() if marker.exists() else []


def outputs(cli: Cli, env: str) -> dict[str, object]:
    result = cli("outputs", env, "--json")
    assert result.exit_code == 0, result.output
    return {k: v["value"] for k, v in json.loads(result.stdout).items()}


def edit_app(project: Path, old: str, new: str) -> None:
    main = project / "app" / "main.py"
    text = main.read_text()
    assert old in text
    main.write_text(text.replace(old, new))


def test_plan_apply_promote_rollback_with_one_synthesis_per_environment(project: Path) -> None:
    cli = Cli(project)
    validated = cli("validate")
    assert validated.exit_code == 0, validated.output
    assert synth_runs(project) == ["dev", "staging"]

    plan = cli("plan", "dev", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "terraform_data.release_marker" in plan.stdout
    assert cli("apply", "dev", "--set", "release=r2", "--yes").exit_code == 0
    assert outputs(cli, "dev") == {
        "release": "r2",
        "marker": "r2@dev/platform",
        "token": "<sensitive>",
    }

    promoted = cli("promote", "--yes")
    assert promoted.exit_code == 0, promoted.output
    assert outputs(cli, "staging")["marker"] == "r2@staging/platform"
    assert cli("apply", "dev", "--set", "release=r3", "--yes").exit_code == 0
    assert cli("promote", "--yes").exit_code == 0
    assert outputs(cli, "staging")["release"] == "r3"
    rolled = cli("rollback", "staging", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert outputs(cli, "staging")["release"] == "r2"
    history = json.loads(cli("history", "staging", "--json").stdout)
    assert [r["kind"] for r in history] == ["rollback", "promote", "promote"]
    assert "tok-7c1e" not in json.dumps(history)  # the sensitive variable's default
    drift = cli("drift", "dev", "staging")
    assert drift.exit_code == 0, drift.output
    # the unchanged app was not synthesised again by any of these commands
    assert synth_runs(project) == ["dev", "staging"]

    # the environment's backend replaced the app's: the app's own state file never appeared
    assert (project / "state" / "dev.tfstate").is_file()
    assert (project / "state" / "staging.tfstate").is_file()
    synthesised = json.loads(
        next(project.glob(".envman/envs/dev/synth/*/stacks/tiny/cdk.tf.json")).read_text()
    )
    assert synthesised["terraform"]["backend"]["local"]["path"].endswith("terraform.tiny.tfstate")
    assert not list(project.parent.rglob("terraform.tiny.tfstate*"))

    # an edited app is synthesised again, and a plan saved before the edit is stale
    assert cli("plan", "dev").exit_code == 0
    edit_app(project, "app = App()", 'app = App()\nprint("edited")')
    stale = cli("apply", "dev", "--plan", "--yes")
    assert stale.exit_code == 1 and "stack code changed" in stale.stderr, stale.output
    assert synth_runs(project) == ["dev", "staging", "dev"]
    assert cli("plan", "dev", "--detailed-exitcode").exit_code == 0
    assert synth_runs(project) == ["dev", "staging", "dev"]


def one_line_error(result: object, *needles: str) -> str:
    exit_code, stderr = result.exit_code, result.stderr  # type: ignore[attr-defined]
    assert exit_code == 1, result
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return str(lines[0])


def test_a_broken_app_is_one_clear_line(project: Path) -> None:
    cli = Cli(project)
    edit_app(
        project, "app = App()", 'raise RuntimeError("config service unreachable")\napp = App()'
    )
    line = one_line_error(
        cli("plan", "dev"),
        "the CDK app",
        "failed (exit 1)",
        "RuntimeError: config service unreachable",
    )
    assert "Node 20" not in line and "!!" not in line  # jsii's warning banner is not the error
    assert not list((project / ".envman").rglob("cdk.tf.json"))  # nothing half-made is cached

    edit_app(project, 'raise RuntimeError("config service unreachable")\n', "")
    edit_app(project, 'Tiny(app, "tiny")\n', "")
    one_line_error(cli("plan", "dev"), "synthesised no stack")


def test_missing_library_and_missing_node(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(project)
    edit_app(project, "import os\n", "import os\n\nimport cdktf  # noqa: F401\n")
    one_line_error(cli("plan", "dev"), "cannot import 'cdktf'", "pip install 'envman[cdk]'")
    validated = cli("validate", "dev")  # validate lists the same problem (markup kept literal)
    assert validated.exit_code == 1 and "'envman[cdk]'" in validated.stdout, validated.output
    assert synth_runs(project) == []  # the app died on the import, before its marker

    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # a PATH without node
    if shutil.which("node") is not None:  # this case cannot be staged on such a machine
        message = "node is in the interpreter's folder: 'node missing' cannot be tested"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    one_line_error(cli("plan", "dev"), "Node.js ('node') is not on PATH")


def test_several_stacks_need_cdk_stack(project: Path) -> None:
    cli = Cli(project)
    edit_app(project, 'Tiny(app, "tiny")', 'Tiny(app, "tiny")\nTiny(app, "other")')
    line = one_line_error(cli("plan", "dev"), "several stacks (other, tiny)", "no cdk_stack")
    assert "environments/dev/environment.hcl" in line
    env_file = project / "environments" / "dev" / "environment.hcl"
    env_file.write_text(env_file.read_text() + 'cdk_stack = "nope"\n')
    one_line_error(cli("plan", "dev"), 'cdk_stack "nope" is not a stack', "environment.hcl:7")
    env_file.write_text(env_file.read_text().replace('"nope"', '"other"'))
    plan = cli("plan", "dev")
    assert plan.exit_code == 0, plan.output
    assert synth_runs(project) == ["dev"]  # one synthesis, three choices
    synthesised = project / ".envman" / "envs" / "dev" / "synth"
    assert {p.name for p in synthesised.glob("*/stacks/*")} == {"other", "tiny"}
