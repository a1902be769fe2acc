#!/usr/bin/env python3
"""Post envman's plan review as ONE pull-request comment, updated on every push.

    pr_comment.py --repo OWNER/NAME --pr N --reports DIR --envs "dev staging" [--commit SHA]

The body is every DIR/<env>.md review report (`envman plan ENV --report DIR/<env>.md`), in the
order of --envs; an environment without a report is shown as "plan failed". The comment is
found again by a hidden marker (only among comments written by the token's own user when the
API tells who that is), edited when it exists and created otherwise: never one comment per push.
Needs GITHUB_TOKEN; GITHUB_API_URL (set by GitHub Actions) or --api overrides the endpoint.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

MARKER = "<!-- envman-plan-review -->"
MAX_BODY = 65_000  # GitHub refuses comments over 65,536 characters
PAGE = 100


class GitHubError(Exception):
    pass


class GitHub:
    def __init__(self, api: str, token: str) -> None:
        self.api = api.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"{method} {path}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise GitHubError(f"{method} {path}: {exc}") from None
        return json.loads(raw) if raw else None


def build_body(reports: Path, envs: list[str], commit: str | None) -> str:
    parts = [MARKER, "# envman plan review", ""]
    if commit:
        parts += [f"For commit `{commit[:12]}`. Updated on every push.", ""]
    if not envs:
        parts.append("This pull request changes no environment.")
    for env in envs:
        report = reports / f"{env}.md"
        if report.is_file():
            parts.append(report.read_text(encoding="utf-8").rstrip())
        else:
            parts.append(f"## ⚠️ `{env}`: plan failed\n\nSee the workflow run's log.")
        parts.append("")
    body = "\n".join(parts).rstrip() + "\n"
    if len(body) > MAX_BODY:
        note = "\n\n… the review is too long for one comment; see the workflow run.\n"
        body = body[: MAX_BODY - len(note)] + note
    return body


def find_comment(github: GitHub, repo: str, pr: int) -> int | None:
    """The id of the review comment already on the pull request, if any."""
    me = _login(github)
    page = 1
    while True:
        comments = github.call(
            "GET", f"/repos/{repo}/issues/{pr}/comments?per_page={PAGE}&page={page}"
        )
        for comment in comments or []:
            author = (comment.get("user") or {}).get("login")
            if (comment.get("body") or "").startswith(MARKER) and (me is None or author == me):
                return int(comment["id"])
        if not comments or len(comments) < PAGE:
            return None
        page += 1


def _login(github: GitHub) -> str | None:
    """The token's own user; None when the API does not say (GitHub App tokens: 403)."""
    try:
        user = github.call("GET", "/user")
    except GitHubError:
        return None
    return (user or {}).get("login") if isinstance(user, dict) else None


def upsert(github: GitHub, repo: str, pr: int, body: str) -> str:
    existing = find_comment(github, repo, pr)
    if existing is not None:
        github.call("PATCH", f"/repos/{repo}/issues/comments/{existing}", {"body": body})
        return f"updated comment {existing}"
    created = github.call("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": body})
    return f"created comment {created.get('id') if isinstance(created, dict) else '?'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="OWNER/NAME")
    parser.add_argument("--pr", required=True, type=int)
    parser.add_argument("--reports", required=True, type=Path)
    parser.add_argument("--envs", default="", help="space-separated environments, in order")
    parser.add_argument("--commit")
    parser.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    args = parser.parse_args(argv)
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        print("pr_comment: GITHUB_TOKEN is not set", file=sys.stderr)
        return 1
    body = build_body(args.reports, args.envs.split(), args.commit)
    try:
        print(f"pr_comment: {upsert(GitHub(args.api, token), args.repo, args.pr, body)}")
    except GitHubError as exc:
        print(f"pr_comment: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
