"""Pure parts of the guard: globs, verdicts, attribute diffs, redaction, policies, the report."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from envman.config.models import Guard, Policy
from envman.config.project import load_project
from envman.errors import ConfigError
from envman.guard.diff import attribute_changes, render_resource
from envman.guard.model import PolicyResult, PolicyStatus, ReviewResult
from envman.guard.policy import run_policy
from envman.guard.redact import plan_secrets, replacing
from envman.guard.report import EnvironmentReview, SectionReview, render_markdown
from envman.guard.rules import evaluate_guard, protected_by
from envman.terraform.models import Plan, PlanSummary, ResourceChange


def test_globs_are_literal_but_star() -> None:
    globs = ["module.database.aws_db_instance.*", '*aws_s3_bucket.b["x"]']
    assert protected_by("module.database.aws_db_instance.this", globs) == globs[0]
    assert protected_by('module.site.aws_s3_bucket.b["x"]', globs) == globs[1]
    assert protected_by('aws_s3_bucket.b["y"]', globs) is None  # [ is not a class
    assert protected_by("module.database.aws_db_subnet_group.this", globs) is None


def test_guard_refuses_protected_and_counts_destroys() -> None:
    guard = Guard(prevent_destroy=["aws_db_instance.*"], max_destroy=1)
    changes = [
        ("aws_db_instance.main", "replace"),
        ("aws_s3_bucket.a", "delete"),
        ("aws_s3_bucket.b", "update"),
        ("aws_s3_bucket.c", "create"),
    ]
    result = evaluate_guard(changes, guard)
    assert [d.address for d in result.refused_addresses] == ["aws_db_instance.main"]
    assert result.over_limit and result.refused  # 2 destroyed > 1
    allowed = evaluate_guard(changes, guard, ["aws_db_instance.main"])
    assert not allowed.refused_addresses and not allowed.over_limit and not allowed.refused
    assert [d.address for d in allowed.allowed] == ["aws_db_instance.main"]


def test_destroy_run_ignores_max_destroy_not_prevent_destroy() -> None:
    guard = Guard(prevent_destroy=["aws_db_instance.*"], max_destroy=0)
    changes = [("aws_s3_bucket.a", "delete"), ("aws_db_instance.main", "delete")]
    result = evaluate_guard(changes, guard, destroy_run=True)
    assert not result.over_limit
    assert [d.address for d in result.refused_addresses] == ["aws_db_instance.main"]
    assert not evaluate_guard(changes, guard, ["aws_db_instance.main"], destroy_run=True).refused


def test_no_guard_refuses_nothing() -> None:
    assert not evaluate_guard([("a.b", "delete")] * 50, None).refused


def _rc(actions: list[str], **change: object) -> ResourceChange:
    return ResourceChange.from_json(
        {"address": "x.y", "type": "x", "name": "y", "change": {"actions": actions, **change}}
    )


def test_diff_nested_sensitive_unknown_and_forced_replacement() -> None:
    rc = _rc(
        ["delete", "create"],
        before={
            "name": "a",
            "tags": {"env": "dev", "k.v": "1"},
            "password": "hunter22",
            "ids": [1, 2],
        },
        after={
            "name": "b",
            "tags": {"env": "prod", "k.v": "1"},
            "password": "hunter33",
            "ids": [1, 2, 3],
        },
        after_unknown={"arn": True},
        before_sensitive={"password": True},
        after_sensitive={"password": True},
        replace_paths=[["name"]],
    )
    lines = [c.line() for c in attribute_changes(rc)]
    assert lines == [
        "arn: null → (known after apply)",
        "ids: [1, 2] → [1, 2, 3]",
        'name: "a" → "b"  # forces replacement',
        "password: <sensitive> → <sensitive>",
        'tags.env: "dev" → "prod"',
    ]
    assert "hunter" not in "\n".join(render_resource(rc))


def test_diff_of_create_lists_set_values_and_delete_nothing() -> None:
    create = _rc(["create"], before=None, after={"a": "1", "b": None}, after_unknown={"id": True})
    assert [c.line() for c in attribute_changes(create)] == ['a = "1"', "id = (known after apply)"]
    delete = _rc(["delete"], before={"a": "1"}, after=None)
    assert render_resource(delete) == ["- x.y (delete)"]


def test_redaction_by_value_covers_unmarked_copies() -> None:
    plan = Plan.from_json(
        {
            "format_version": "1.2",
            "variables": {"token": {"value": "tok-123456"}},
            "resource_changes": [
                {
                    "address": "x.y",
                    "change": {
                        "actions": ["update"],
                        "before": {"secret": "old-secret-1"},
                        "after": {"secret": "new-secret-2"},
                        "before_sensitive": {"secret": True},
                        "after_sensitive": {"secret": True},
                    },
                }
            ],
        }
    )
    redact = replacing(plan_secrets(plan, {"token"}))
    assert redact("a tok-123456 b old-secret-1 new-secret-2") == (
        "a <sensitive> b <sensitive> <sensitive>"
    )
    assert redact("on 1") == "on 1"  # very short values are not redacted


def _policy(tmp_path: Path, body: str, timeout: int = 30) -> PolicyResult:
    script = tmp_path / "policy.py"
    script.write_text(body)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"resource_changes": [{"address": "a.b"}]}))
    policy = Policy.model_validate(
        {"__label__": "p", "command": [sys.executable, str(script)], "timeout": f"{timeout}s"}
    )
    return run_policy(policy, plan, tmp_path, {}, replacing(["s3cr3t-value"]))


def test_policy_reads_stdin_and_refuses(tmp_path: Path) -> None:
    result = _policy(
        tmp_path,
        "import json,sys\nplan=json.load(sys.stdin)\n"
        "print(plan['resource_changes'][0]['address'], 's3cr3t-value')\nsys.exit(2)\n",
    )
    assert result.status is PolicyStatus.REFUSED and result.exit_code == 2
    assert result.output == "a.b <sensitive>"


def test_policy_timeout_is_an_error_and_kills_its_children(tmp_path: Path) -> None:
    result = _policy(
        tmp_path,
        "import subprocess,time\nsubprocess.Popen(['sleep','300'])\ntime.sleep(300)\n",
        timeout=1,
    )
    assert result.status is PolicyStatus.ERROR and "timed out after 1s" in result.output


def test_policy_config_rejects_empty_command() -> None:
    with pytest.raises(ValueError):
        Policy.model_validate({"__label__": "p", "command": []})
    assert Policy.model_validate({"__label__": "p", "command": ["x"]}).timeout == timedelta(
        minutes=5
    )


def test_report_folds_long_lists_and_fences_backticks() -> None:
    changes = (*((f"aws_s3_object.o[{i}]", "create") for i in range(12)), ("a.moved", "move"))
    section = SectionReview(
        summary=PlanSummary(add=12),
        changes=changes,
        diff=("+ x (create)", '    body = "```"'),
        review=ReviewResult(
            policies=(PolicyResult("tags", PolicyStatus.ERROR, "boom\nmore"),),
        ),
        component="app",
    )
    text = render_markdown([EnvironmentReview("prod", (section,))])
    assert "### Component `app`" in text
    assert "- **Create** (12)\n\n  <details><summary>addresses</summary>" in text
    assert "````diff" in text  # a fence longer than any backtick run inside
    assert "- **Move** (1): `a.moved`" in text
    assert "| `tags` | ⚠️ error: boom |" in text
    assert "**Policies:** ⛔ refused" in text


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("guard {\n  max_destroy = -1\n}\n", "guard.max_destroy"),
        ("guard {\n  prevent = []\n}\n", "unknown key 'prevent'"),
        ('policy "p" {\n  command = []\n}\n', "policy.p.command"),
        ("guard {}\nguard {}\n", "block 'guard' is given 2 times"),
    ],
)
def test_guard_and_policy_config_errors_name_file_and_line(
    tmp_path: Path, block: str, message: str
) -> None:
    env = tmp_path / "environments" / "dev"
    env.mkdir(parents=True)
    (tmp_path / "terraform").mkdir()
    (env / "environment.hcl").write_text('description = "x"\n' + block)
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path).environment("dev")
    assert f"{env / 'environment.hcl'}:" in str(caught.value) and message in str(caught.value)


def test_guard_defaults_come_from_envman_hcl(tmp_path: Path) -> None:
    env = tmp_path / "environments" / "dev"
    env.mkdir(parents=True)
    (tmp_path / "terraform").mkdir()
    (tmp_path / "envman.hcl").write_text('guard {\n  prevent_destroy = ["aws_db_instance.*"]\n}\n')
    (env / "environment.hcl").write_text('policy "p" {\n  command = ["true"]\n}\n')
    config = load_project(tmp_path).environment("dev").config
    assert config.guard is not None and config.guard.prevent_destroy == ["aws_db_instance.*"]
    assert [p.name for p in config.policy] == ["p"]


def test_notifications_announce_allowed_destroys() -> None:
    from envman.notify.dispatch import Notification
    from envman.notify.slack import release_text

    release = {"seq": 4, "kind": "apply", "status": "applied", "allow_destroy": ["aws_db.x"]}
    note = Notification(event="apply", environment="prod", title="t", lines=[], release=release)
    assert release_text(note) == "#4 (apply, applied), destroy allowed: aws_db.x"
