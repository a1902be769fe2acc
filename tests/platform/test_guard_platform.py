"""The example platform's guard and sample policy: production protects its database and its
buckets (the globs match real addresses of the component stacks), and policies/baseline.py judges plans."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envman.config.project import load_project
from envman.graph.config import load_components
from envman.guard.rules import protected_by

pytestmark = pytest.mark.platform
REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "policies" / "baseline.py"


def stack_addresses() -> list[str]:
    """module.<name>.<type>.<name> of every resource the component stacks' modules declare
    (each component plans its own stack: the guard sees these addresses in its plan)."""
    found = []
    for spec in load_components(load_project(REPO)).specs.values():
        stack = spec.stack_dir
        root = (stack / "main.tf").read_text()
        for module, source in re.findall(r'module "([^"]+)" \{\s*source\s*=\s*"([^"]+)"', root):
            code = "".join(p.read_text() for p in (stack / source).resolve().glob("*.tf"))
            for kind, name in re.findall(r'^resource "([^"]+)" "([^"]+)"', code, re.M):
                found.append(f"module.{module}.{kind}.{name}")
    return found


def test_production_guards_database_and_buckets() -> None:
    guard = load_project(REPO).environment("production").config.guard
    assert guard is not None
    addresses = stack_addresses()
    protected = [a for a in addresses if protected_by(a, guard.prevent_destroy)]
    assert "module.database.aws_db_instance.this" in protected
    assert "module.frontend.aws_s3_bucket.this" in protected
    assert "module.frontend.aws_s3_bucket_policy.this" not in protected
    for pattern in guard.prevent_destroy:  # no glob that matches nothing (a typo protects nothing)
        assert any(protected_by(a, [pattern]) for a in addresses), pattern


def _judge(changes: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    plan = {"format_version": "1.2", "resource_changes": changes}
    return subprocess.run(
        [sys.executable, str(POLICY)],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _change(address: str, kind: str, after: dict[str, Any], actions: list[str]) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "change": {"actions": actions, "after": after, "after_unknown": {}},
    }


TAGS = {"Project": "deals", "Environment": "production", "ManagedBy": "terraform"}


def test_baseline_policy_passes_a_compliant_plan() -> None:
    result = _judge(
        [
            _change(
                "module.frontend.aws_s3_bucket.this",
                "aws_s3_bucket",
                {"tags_all": TAGS},
                ["create"],
            ),
            _change(
                "module.frontend.aws_s3_bucket_public_access_block.this",
                "aws_s3_bucket_public_access_block",
                dict.fromkeys(
                    [
                        "block_public_acls",
                        "block_public_policy",
                        "ignore_public_acls",
                        "restrict_public_buckets",
                    ],
                    True,
                ),
                ["update"],
            ),
            _change("x.gone", "aws_s3_bucket", {"tags_all": {}}, ["delete"]),  # not judged
        ]
    )
    assert result.returncode == 0, result.stdout


def test_baseline_policy_refuses_missing_tags_and_public_buckets() -> None:
    result = _judge(
        [
            _change("aws_s3_bucket.a", "aws_s3_bucket", {"tags_all": {"Project": "p"}}, ["create"]),
            _change(
                "aws_s3_bucket_public_access_block.a",
                "aws_s3_bucket_public_access_block",
                {"block_public_acls": True, "block_public_policy": False},
                ["create"],
            ),
            _change("aws_s3_bucket_acl.a", "aws_s3_bucket_acl", {"acl": "public-read"}, ["update"]),
        ]
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "aws_s3_bucket.a: missing required tags Environment, ManagedBy" in lines
    assert any(
        line.startswith("aws_s3_bucket_public_access_block.a: public access not blocked")
        for line in lines
    )
    assert "aws_s3_bucket_acl.a: public bucket ACL 'public-read'" in lines


def test_baseline_policy_rejects_input_that_is_not_a_plan() -> None:
    result = subprocess.run(
        [sys.executable, str(POLICY)], input="nope", capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "not JSON" in result.stdout
