#!/usr/bin/env python3
"""The platform's baseline policy for envman: `policy "baseline"` in environment.hcl.

envman gives it the plan as JSON (`terraform show -json`) on stdin; a non-zero exit refuses
the plan (envman exit 3) and what it prints is shown, redacted, in the terminal and the review
report. It checks every resource the plan creates or updates:

- required tags: a taggable resource (one with `tags_all`) carries Project, Environment and
  ManagedBy (the stack sets them through the provider's default_tags);
- no public buckets: an S3 public access block blocks everything, and no bucket ACL is public.

Standard library only: it runs wherever envman runs. Conftest or OPA would do the same job.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

REQUIRED_TAGS = ("Project", "Environment", "ManagedBy")
BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


def violations(plan: dict[str, Any]) -> Iterator[str]:
    for rc in plan.get("resource_changes") or []:
        change = rc.get("change") or {}
        actions = change.get("actions") or []
        after = change.get("after")
        if rc.get("mode") != "managed" or ("create" not in actions and "update" not in actions):
            continue
        if not isinstance(after, dict):
            continue
        unknown = change.get("after_unknown") or {}
        address = rc.get("address", "?")
        yield from _tags(address, after, unknown)
        yield from _public(address, rc.get("type", ""), after)


def _tags(address: str, after: dict[str, Any], unknown: dict[str, Any]) -> Iterator[str]:
    if "tags_all" not in after or unknown.get("tags_all") is True:
        return  # not taggable, or not known before apply
    tags = after.get("tags_all") or {}
    missing = [t for t in REQUIRED_TAGS if not tags.get(t)]
    if missing:
        yield f"{address}: missing required tags {', '.join(missing)}"


def _public(address: str, kind: str, after: dict[str, Any]) -> Iterator[str]:
    if kind == "aws_s3_bucket_public_access_block":
        open_flags = [f for f in BLOCK_FLAGS if after.get(f) is not True]
        if open_flags:
            yield f"{address}: public access not blocked ({', '.join(open_flags)} not true)"
    if kind == "aws_s3_bucket_acl" and after.get("acl") in PUBLIC_ACLS:
        yield f"{address}: public bucket ACL {after['acl']!r}"


def main() -> int:
    try:
        plan = json.load(sys.stdin)
    except ValueError as exc:
        print(f"baseline: the plan on stdin is not JSON: {exc}")
        return 2
    found = list(violations(plan))
    for line in found:
        print(line)
    if found:
        print(f"baseline: {len(found)} violation(s)")
        return 1
    print("baseline: required tags and no public buckets: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
