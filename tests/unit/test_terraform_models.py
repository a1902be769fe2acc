"""Pure argument building and typed models of terraform's JSON (golden show -json fixture)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envman.errors import EnvmanError, TerraformError
from envman.terraform.apply import build_apply_args
from envman.terraform.binary import parse_version
from envman.terraform.cliconfig import render_cli_config
from envman.terraform.init import build_init_args
from envman.terraform.models import Plan, outputs_from_json, redacted_outputs
from envman.terraform.plan import PlanOptions, StreamedPlan, build_plan_args
from envman.terraform.runner import (
    GO_RUNTIME_DEFAULTS,
    base_environment,
    diagnostic_from_json,
    diagnostics_from_text,
)

GOLDEN = Path(__file__).parent.parent / "fixtures" / "plan_update.json"


def test_plan_args() -> None:
    args = build_plan_args(
        PlanOptions(
            out=Path("/w/p.tfplan"),
            var_files=(Path("/a.tfvars"), Path("/b.json")),
            refresh_only=True,
            lock_timeout="30s",
        )
    )
    assert args == [
        "plan",
        "-json",
        "-input=false",
        "-out=/w/p.tfplan",
        "-lock=true",
        "-lock-timeout=30s",
        "-refresh-only",
        "-var-file=/a.tfvars",
        "-var-file=/b.json",
    ]


def test_init_and_apply_args() -> None:
    args = build_init_args({"bucket": "b", "use_lockfile": True, "key": "k"})
    assert args[-3:] == [
        "-backend-config=bucket=b",
        "-backend-config=key=k",
        "-backend-config=use_lockfile=true",
    ]
    assert build_apply_args(Path("/p"), "5s")[-2:] == ["-lock-timeout=5s", "/p"]
    assert "-auto-approve" in build_apply_args(Path("/p"))


def test_cli_config_points_at_the_mirror() -> None:
    text = render_cli_config(Path("/opt/mirror"), Path("/cache"))
    assert 'path    = "/opt/mirror"' in text and 'plugin_cache_dir = "/cache"' in text
    assert "filesystem_mirror" not in render_cli_config(None, Path("/cache"))


def test_golden_plan() -> None:
    plan = Plan.from_json(json.loads(GOLDEN.read_text()))
    summary = plan.summary()
    assert (summary.add, summary.change, summary.destroy, summary.replace) == (1, 1, 1, 1)
    by_address = {rc.address: rc for rc in plan.resource_changes}
    assert by_address["terraform_data.slow"].change.actions.replace()
    assert by_address["terraform_data.app"].change.actions.update()
    assert by_address["terraform_data.frontend"].change.actions.noop()
    assert summary.text().startswith("1 to add, 1 to change, 1 to destroy")


def test_unsupported_plan_format() -> None:
    with pytest.raises(TerraformError, match="format_version"):
        Plan.from_json({"format_version": "2.0"})


def test_streamed_summary() -> None:
    streamed = StreamedPlan()
    for event in (
        {"type": "planned_change", "change": {"resource": {"addr": "a.b"}, "action": "replace"}},
        {"type": "outputs", "outputs": {"x": {"action": "update"}, "y": {"action": "noop"}}},
        {"type": "change_summary", "changes": {"add": 1, "change": 0, "remove": 1}},
    ):
        streamed.feed(event)
    assert streamed.summary.replace == 1 and streamed.summary.outputs_changed == 1
    assert streamed.planned == [("a.b", "replace")]


def test_outputs_redaction() -> None:
    outputs = outputs_from_json(
        {"a": {"value": "x", "sensitive": False}, "s": {"value": "secret", "sensitive": True}}
    )
    assert redacted_outputs(outputs) == {"a": "x", "s": {"sensitive": True}}


def test_diagnostics() -> None:
    diag = diagnostic_from_json(
        {
            "severity": "error",
            "summary": "Bad",
            "detail": "very\nbad",
            "range": {"filename": "main.tf", "start": {"line": 3}},
        }
    )
    assert diag.one_line() == "Bad: very bad (main.tf:3)"
    text = "\n╷\n│ Error: Backend initialization required\n│\n│ Run terraform init.\n╵\n"
    (found,) = diagnostics_from_text(text)
    assert found.summary == "Backend initialization required" and "Run terraform" in found.detail


def test_version_parsing() -> None:
    assert parse_version("1.11.4") == (1, 11, 4)
    assert parse_version("v1.6.0-beta1") == (1, 6, 0)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=20,
    )
)
def test_fuzzed_plan_json_only_raises_envman_errors(data: object) -> None:
    document = data if isinstance(data, dict) else {"resource_changes": data}
    document = {"format_version": "1.2", **document}
    with contextlib.suppress(EnvmanError):
        Plan.from_json(document).summary()


def test_go_runtime_defaults_apply_only_when_the_user_set_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    env = base_environment(tmp_path, None)
    assert {k: env[k] for k in GO_RUNTIME_DEFAULTS} == GO_RUNTIME_DEFAULTS
    monkeypatch.setenv("GOGC", "100")
    env = base_environment(tmp_path, None)
    assert env["GOGC"] == "100" and "GOMEMLIMIT" not in env
