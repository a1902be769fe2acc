"""Second adversarial round: terraform does what envman judged, nothing else (real terraform).

The caller's TF_CLI_ARGS* / TF_LOG* / TF_WORKSPACE / TF_DATA_DIR never reach terraform; `tf`
judges an apply by its effect (terraform takes the last of repeated flags; a saved plan file
is read); `apply --plan` refuses a plan whose state moved before it records anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform


@pytest.fixture
def operate(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("operate", tmp_path)


def resources(project: Path, env: str = "dev") -> list[str]:
    state = json.loads((project / "state" / f"{env}.tfstate").read_text())
    return sorted(f"{r['type']}.{r['name']}" for r in state["resources"])


def history(cli: Cli, env: str = "dev") -> list[dict[str, object]]:
    done = cli("history", env, "--json")
    assert done.exit_code == 0, done.output
    return list(json.loads(done.stdout))


ALL = ["terraform_data.app", "terraform_data.gate"]


def test_callers_terraform_variables_never_reach_terraform(
    operate: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli = Cli(operate)
    assert cli("apply", "dev", "--yes").exit_code == 0
    log = tmp_path / "tf.log"
    monkeypatch.setenv("TF_CLI_ARGS_plan", "-destroy")
    monkeypatch.setenv("TF_CLI_ARGS_apply", "-target=terraform_data.gate")
    monkeypatch.setenv("TF_CLI_ARGS_init", "-upgrade")
    monkeypatch.setenv("TF_LOG", "trace")
    monkeypatch.setenv("TF_LOG_PATH", str(log))
    monkeypatch.setenv("TF_WORKSPACE", "elsewhere")
    done = cli("apply", "dev", "--yes", "--set", "image_tag=v2")
    assert done.exit_code == 0, done.output
    assert resources(operate) == ALL  # nothing destroyed
    out = json.loads(cli("outputs", "dev", "--json").stdout)
    assert out["image_tag"]["value"] == "v2"  # the whole plan applied, not a target
    warnings = [line for line in done.stderr.splitlines() if "ignoring" in line]
    assert len(warnings) == 1
    for name in ("TF_CLI_ARGS_apply", "TF_CLI_ARGS_init", "TF_CLI_ARGS_plan", "TF_LOG_PATH"):
        assert name in warnings[0]
    assert "-destroy" not in warnings[0]  # names, never values
    assert not log.exists()
    assert [h["kind"] for h in history(cli)] == ["apply", "apply"]


def test_tf_apply_judges_the_last_of_repeated_flags(operate: Path) -> None:
    cli = Cli(operate)
    assert cli("apply", "dev", "--yes").exit_code == 0
    refused = cli("tf", "dev", "--", "apply", "-auto-approve", "-destroy=false", "-destroy")
    assert refused.exit_code == 3, refused.output  # a destroy: the typed name, never -auto-approve
    assert "envman destroy dev" in refused.stderr
    assert resources(operate) == ALL
    done = cli("tf", "dev", "--confirm", "dev", "--", "apply", "-destroy=false", "-destroy")
    assert done.exit_code == 0, done.output
    assert resources(operate) == []
    assert history(cli)[0]["kind"] == "destroy"  # the newest record: a destroy release


def test_tf_apply_of_a_saved_destroy_plan_is_refused(operate: Path) -> None:
    cli = Cli(operate)
    assert cli("apply", "dev", "--yes").exit_code == 0
    plan = operate / "destroy.tfplan"
    made = cli("tf", "dev", "--", "plan", "-destroy", f"-out={plan}")
    assert made.exit_code == 0, made.output
    done = cli("tf", "dev", "--", "apply", str(plan))
    assert done.exit_code == 1, done.output
    assert "only destroys (2 resource(s)" in done.stderr and "envman destroy dev" in done.stderr
    assert resources(operate) == ALL
    assert not [h for h in history(cli) if h.get("status") == "succeeded" and h["kind"] == "tf"]


def test_tf_apply_keeps_the_guard(operate: Path) -> None:
    dev = operate / "environments" / "dev" / "environment.hcl"
    dev.write_text(dev.read_text() + '\nguard {\n  prevent_destroy = ["terraform_data.app"]\n}\n')
    cli = Cli(operate)
    assert cli("apply", "dev", "--yes").exit_code == 0
    replace = cli("tf", "dev", "--", "apply", "-auto-approve", "-replace=terraform_data.app")
    assert replace.exit_code == 3, replace.output
    assert "terraform_data.app would be replaced" in replace.stderr
    plan = operate / "replace.tfplan"
    made = cli("tf", "dev", "--", "plan", "-replace=terraform_data.app", f"-out={plan}")
    assert made.exit_code == 0, made.output
    saved = cli("tf", "dev", "--", "apply", str(plan))
    assert saved.exit_code == 3 and "prevent_destroy" in saved.stderr
    fine = cli("tf", "dev", "--", "apply", "-auto-approve", "-var", "image_tag=v9")
    assert fine.exit_code == 0, fine.output
    assert json.loads(cli("outputs", "dev", "--json").stdout)["image_tag"]["value"] == "v9"


def test_apply_plan_refuses_a_plan_whose_state_moved_before_recording(operate: Path) -> None:
    cli = Cli(operate)
    assert cli("apply", "dev", "--yes").exit_code == 0
    assert cli("plan", "dev", "--set", "image_tag=v2").exit_code == 0
    moved = cli("tf", "dev", "--", "apply", "-auto-approve", "-var", "image_tag=v3")
    assert moved.exit_code == 0, moved.output
    before = history(cli)
    done = cli("apply", "dev", "--plan", "--yes")
    assert done.exit_code == 1
    assert "stale" in done.stderr and "state changed" in done.stderr
    assert history(cli) == before  # no failed release
    assert [h["status"] for h in before if h["kind"] == "apply"] == ["applied"]
