"""scripts/pr_comment.py against a fake GitHub API on loopback: one comment, created once,
then updated on every push; scripts/changed_envs.py picks the environments a change touches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pr_comment.py"
MARKER = "<!-- envman-plan-review -->"
TOKEN = "ghs_fake-token-123"


class FakeGitHub:
    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str]] = []
        self.next_id = 1000

    def add(self, body: str, login: str) -> None:
        self.next_id += 1
        self.comments.append({"id": self.next_id, "body": body, "user": {"login": login}})


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, code: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            return dict(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

        def _route(self, method: str) -> None:
            url = urlparse(self.path)
            fake.calls.append((method, url.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._reply(401, {"message": "Bad credentials"})
            self._reply(*_answer(fake, method, url.path, url.query, self._body))

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

    return Handler


def _answer(
    fake: FakeGitHub, method: str, path: str, query: str, body: Callable[[], dict[str, Any]]
) -> tuple[int, Any]:
    """The fake API's answer: (status, payload)."""
    if method == "GET" and path == "/user":
        return 200, {"login": "envman-bot"}
    if path == "/repos/o/r/issues/7/comments":
        if method == "POST":
            fake.add(body()["body"], "envman-bot")
            return 201, fake.comments[-1]
        params = parse_qs(query)
        size, page = int(params["per_page"][0]), int(params["page"][0])
        return 200, fake.comments[(page - 1) * size : page * size]
    if method == "PATCH" and path.startswith("/repos/o/r/issues/comments/"):
        wanted = int(path.rsplit("/", 1)[1])
        for comment in fake.comments:
            if comment["id"] == wanted:
                comment["body"] = body()["body"]
                return 200, comment
    return 404, {"message": "Not Found"}


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, str]]:
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def post(
    api: str, reports: Path, envs: str, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GITHUB_TOKEN": token}
    args = ["--repo", "o/r", "--pr", "7", "--reports", str(reports), "--envs", envs]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--api", api, "--commit", "0123456789abcdef"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_creates_once_then_updates(github: tuple[FakeGitHub, str], tmp_path: Path) -> None:
    fake, api = github
    for n in range(120):  # ours lands on page 2
        fake.add(f"comment {n}", "someone")
    fake.add(f"{MARKER}\nquoted by a person", "someone")  # not ours: never edited
    (tmp_path / "dev.md").write_text("## 📝 `dev`: 1 to add\n")

    first = post(api, tmp_path, "dev production")
    assert first.returncode == 0, first.stderr
    assert "created comment" in first.stdout
    ours = [c for c in fake.comments if c["user"]["login"] == "envman-bot"]
    assert len(ours) == 1
    assert ours[0]["body"].startswith(MARKER) and "`dev`: 1 to add" in ours[0]["body"]
    assert "## ⚠️ `production`: plan failed" in ours[0]["body"]  # no report: the plan failed
    assert "`0123456789ab`" in ours[0]["body"]

    (tmp_path / "dev.md").write_text("## ✅ `dev`: no changes\n")
    second = post(api, tmp_path, "dev")
    assert second.returncode == 0, second.stderr
    assert f"updated comment {ours[0]['id']}" in second.stdout
    ours = [c for c in fake.comments if c["user"]["login"] == "envman-bot"]
    assert len(ours) == 1 and "`dev`: no changes" in ours[0]["body"]
    assert fake.comments[120]["body"] == f"{MARKER}\nquoted by a person"
    assert [m for m, _ in fake.calls].count("POST") == 1
    assert [m for m, _ in fake.calls].count("PATCH") == 1


def test_api_errors_are_one_line_without_the_token(
    github: tuple[FakeGitHub, str], tmp_path: Path
) -> None:
    _, api = github
    result = post(api, tmp_path, "dev", token="wrong-token-456")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "HTTP 401" in result.stderr
    assert "wrong-token-456" not in result.stderr + result.stdout


def test_long_reviews_fit_in_one_comment(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("pr_comment", SCRIPT)
    assert spec is not None and spec.loader is not None
    pr_comment = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pr_comment)
    (tmp_path / "dev.md").write_text("x" * 100_000)
    body = pr_comment.build_body(tmp_path, ["dev"], None)
    assert len(body) <= pr_comment.MAX_BODY and body.startswith(MARKER)
    assert "too long for one comment" in body
    assert "changes no environment" in pr_comment.build_body(tmp_path, [], None)


def test_changed_environments(tmp_path: Path) -> None:
    for env in ("dev", "production", "staging"):
        (tmp_path / "environments" / env).mkdir(parents=True)
        (tmp_path / "environments" / env / "environment.hcl").write_text("")

    def run(*files: str) -> str:
        script = str(ROOT / "scripts" / "changed_envs.py")
        done = subprocess.run(
            [sys.executable, script, "--root", str(tmp_path), "--files", *files],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert run("environments/production/terraform.tfvars", "README.md") == "production"
    assert run("environments/staging/app.tfvars") == "staging"  # a component's inputs
    assert run("modules/database/main.tf") == "dev production staging"
    assert run("terraform/app/main.tf") == "dev production staging"  # a component's stack
    assert run("envman.hcl", "--exclude", "dev") == "production staging"
    assert run("README.md", "environments/gone/x") == ""
    assert run("bench/platform_single_stack/main.tf", "terraformish/x.tf") == ""

    def scopes(*files: str) -> dict[str, str]:
        found = json.loads(run(*files, "--json"))
        return {row["env"]: row["scope"] for row in found}

    # stack code and tfvars: envman plan --changed finds the components
    assert scopes("terraform/app/main.tf", "environments/dev/data.tfvars") == dict.fromkeys(
        ["dev", "production", "staging"], "changed"
    )
    # the graph, a policy or an environment's settings: every component is planned
    assert scopes("policies/baseline.py") == dict.fromkeys(["dev", "production", "staging"], "all")
    assert scopes("modules/api/main.tf", "environments/dev/environment.hcl") == {
        "dev": "all",
        "production": "changed",
        "staging": "changed",
    }
    assert scopes("envman.hcl", "environments/dev/app.tfvars")["dev"] == "all"
    assert scopes("README.md") == {}
