"""`make demo`: the example platform, five components, through envman on the AWS emulator.

The platform is split into components (envman.hcl: network, data, app, edge, monitoring, wired
by outputs). The demo builds a throwaway project under .envman/demo/ (scripts/demo_project.py)
with two environments, staging and production, on a moto server on 127.0.0.1: a first build
as a graph, a promotion that plans only `app`, protections, drift, rollbacks. Each step says in
one line what it shows, and the demo stops with a non-zero exit when a step does not do it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from demo_project import ROOT, build_project

DEMO = ROOT / ".envman" / "demo"
TUESDAY = "2026-11-24T09:00:00Z"  # ENVMAN_NOW moves the clock from step to step


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(Health.status)
        self.end_headers()
        self.wfile.write(b"ok" if Health.status == 200 else b"unavailable")

    def log_message(self, *args: object) -> None:
        return


class Slack(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        text = body.get("text") or json.dumps(body)[:160]
        for block in body.get("blocks", []):  # a run under ENVMAN_NOW is announced as break-glass
            reason = str((block.get("text") or {}).get("text", "")).partition("*Reason:* ")[2]
            if reason:
                text += f" ({reason.splitlines()[0]})"
        print(f"    [slack] {text}", flush=True)
        if Health.status != 200 and "verify_failed" in json.dumps(body):
            Health.status = 200  # only the new build is unhealthy: the rollback verifies
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def serve(handler: type[BaseHTTPRequestHandler]) -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def envman(*args: str, expect: tuple[int, ...] = (0,), now: str | None = TUESDAY) -> str:
    """Run envman, show what it says as it says it; its output (stdout and stderr). ``now``
    replaces the clock (ENVMAN_NOW); None runs on the real one."""
    env = {**os.environ, "ENVMAN_ACTOR": "demo"}
    if now is not None:
        env["ENVMAN_NOW"] = now
    print(f"  $ envman {' '.join(args)}", flush=True)
    argv = [sys.executable, "-m", "envman", "--project", str(DEMO), *args]
    with subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    if process.returncode not in expect:
        fail(f"`envman {' '.join(args)}` exited {process.returncode}, expected {expect}")
    return "".join(lines)


def envman_json(*args: str) -> Any:
    """The JSON document an envman command prints with --json (not shown)."""
    argv = [sys.executable, "-m", "envman", "--project", str(DEMO), *args, "--json"]
    env = {**os.environ, "ENVMAN_NOW": TUESDAY, "ENVMAN_ACTOR": "demo"}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        fail(f"`envman {' '.join(args)} --json` exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def fail(message: str) -> None:
    raise SystemExit(f"demo: {message}")


def check(condition: bool, message: str) -> None:
    """A step did what it says, or the demo stops (exit 1) saying what did not happen."""
    if not condition:
        fail(message)


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def main() -> None:
    os.environ.setdefault("ENVMAN_PROVIDER_MIRROR", "/opt/tf-plugins")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    health = serve(Health)
    os.environ["DEMO_SLACK_WEBHOOK"] = serve(Slack)
    os.environ["DEMO_ENDPOINT"] = endpoint
    build_project(DEMO, endpoint, health)
    started = time.monotonic()
    step(f"Start the embedded AWS emulator (moto) on {endpoint}")
    envman("emulator", "start", "--port", str(port))
    try:
        run_steps()
    finally:
        step("Stop the emulator")
        envman("emulator", "stop", expect=(0, 1))
    print(f"\nDemo finished in {time.monotonic() - started:.0f}s. Project: {DEMO}")


def run_steps() -> None:
    step("Create the state bucket: versioned, encrypted, private (TLS-only needs HTTPS)")
    envman("bootstrap", "staging")
    step("Validate: the component graph, every environment's inputs, backend and promotion")
    envman("validate")
    step("The platform as five components wired by outputs (envman.hcl)")
    envman("graph", "staging")
    first_build()
    promote_only_app()
    drift_and_rollbacks()
    step("History and status, per component")
    envman("history", "production")
    envman("status")
    insight()


def insight() -> None:
    step("What a promotion of staging into production would carry now (envman diff)")
    envman("diff", "staging", "production")
    step("Delivery metrics from the ledgers, on the real clock: the four DORA keys")
    metrics = envman("metrics", now=None)
    check("0 deployment(s)" not in metrics, "metrics counted no deployment")
    step("The static dashboard: environments matrix, a page per environment, DORA charts")
    site = DEMO / "dashboard"
    envman("report", "--html", str(site), now=None)
    index = site / "index.html"
    check(index.is_file(), f"envman report wrote no {index}")
    check("production" in index.read_text(encoding="utf-8"), "the dashboard names no production")
    print(f"  Dashboard: file://{index}", flush=True)


def first_build() -> None:
    step(
        "First build of staging as a graph, with a new API image: network and edge at once; "
        "data, app, monitoring planned once their upstreams applied (never with mock values)"
    )
    said = envman(
        "apply", "staging", "--set", "app.backend_image_tag=3f2c1ab", "--yes", now=TUESDAY
    )
    check("data: planned after network applies" in said, "data was not deferred after network")
    show_graph_timing("staging")
    check(latest("staging")["status"] == "verified", "staging's first build is not verified")
    step("First build of production, its initial release (typed confirmation given by flag)")
    envman("apply", "production", "--confirm", "production", now="2026-11-24T09:30:00Z")
    show_graph_timing("production")
    check(image_tag("production") == "0.1.0", "production does not run its initial release")


def image_tag(env: str) -> str:
    app = envman_json("outputs", env, "-c", "app")
    return str(app["backend_image_tag"]["value"])


def show_graph_timing(env: str) -> None:
    """When terraform applied each component of the newest release (its own event log's
    timestamps: ENVMAN_NOW holds envman's clock still); network and edge overlap."""
    spans = {}
    for name, entry in latest(env)["components"].items():
        logs = list(DEMO.glob(f".envman/envs/{env}/**/{entry.get('run_id')}/apply.events.jsonl"))
        if entry.get("status") == "applied" and len(logs) == 1:
            spans[name] = span(logs[0])
    check({"network", "edge", "data"} <= set(spans), f"{env}: no apply log of {sorted(spans)}")
    zero = min(start for start, _ in spans.values())
    for name, (start, end) in sorted(spans.items(), key=lambda item: item[1]):
        print(f"     {name:10} {(start - zero).seconds:4}s → {(end - zero).seconds:4}s")
    (network, network_end), (edge, edge_end) = spans["network"], spans["edge"]
    at_once = network < edge_end and edge < network_end
    check(at_once, f"{env}: network and edge did not apply at the same time")
    check(spans["data"][0] >= network_end, f"{env}: data applied before network finished")


def span(log: Path) -> tuple[datetime, datetime]:
    """The first and last time terraform's -json event log says."""
    stamps = []
    for line in log.read_text().splitlines():
        try:
            stamps.append(datetime.fromisoformat(json.loads(line)["@timestamp"]))
        except (ValueError, KeyError, TypeError):
            continue
    if not stamps:
        fail(f"{log}: no terraform event with a @timestamp")
    return min(stamps), max(stamps)


def latest(env: str) -> dict[str, Any]:
    records: list[dict[str, Any]] = envman_json("history", env, "--limit", "1")
    return records[0]


def promote_only_app() -> None:
    step("A hotfix --set of production's image is refused: it changes only by promotion (exit 3)")
    said = envman(
        "apply",
        "production",
        "--confirm",
        "production",
        "--set",
        "app.backend_image_tag=hotfix1",
        expect=(3,),
        now="2026-11-26T10:00:00Z",
    )
    check("promotion_only" in said, "the hotfix was not refused by promotion_only")
    step("On a Friday, production refuses deploys (exit 3)")
    envman("promote", "--confirm", "production", expect=(3,), now="2026-11-27T15:00:00Z")
    step(
        "Promote staging's image on Monday: only app is planned and applied; monitoring, which "
        "reads app's outputs, is not planned (they do not change)"
    )
    said = envman("promote", "--confirm", "production", now="2026-11-30T10:00:00Z")
    check(
        "monitoring: not planned (its inputs do not change)" in said,
        "monitoring was planned by a promotion that changes no output it reads",
    )
    check(applied("production") == ["app"], "the promotion did not apply app alone")
    check(image_tag("production") == "3f2c1ab", "production does not run 3f2c1ab")
    step("Production's app outputs (sensitive ones would show as <sensitive>)")
    envman("outputs", "production", "-c", "app")


def applied(env: str) -> list[str]:
    """The components the newest release of `env` applied."""
    components = latest(env)["components"].items()
    return sorted(name for name, entry in components if entry.get("status") == "applied")


def drift_and_rollbacks() -> None:
    import boto3

    step("Someone scales the production API service by hand, behind terraform's back")
    app = envman_json("outputs", "production", "-c", "app")
    ecs = boto3.client(
        "ecs",
        endpoint_url=os.environ["DEMO_ENDPOINT"],
        region_name="eu-west-1",
        aws_access_key_id="test",  # the emulator's static test credentials
        aws_secret_access_key="test",
    )
    ecs.update_service(
        cluster=app["ecs_cluster_name"]["value"],
        service=app["ecs_service_name"]["value"],
        desiredCount=3,
    )
    step("Drift detection plans every component and finds exactly that change (exit 2)")
    said = envman("drift", "production", expect=(2,), now="2026-11-30T10:30:00Z")
    check("1 finding(s)" in said and "desired_count" in said, "drift did not find desired_count")
    step("Roll production back to its previous release: only app goes back to 0.1.0")
    envman("rollback", "production", "--confirm", "production", now="2026-11-30T11:00:00Z")
    check(latest("production")["kind"] == "rollback", "no rollback was recorded")
    check(applied("production") == ["app"], "the rollback did not apply app alone")
    check(image_tag("production") == "0.1.0", "production is not back on 0.1.0")
    step(
        "Promote staging's image again, but it fails its health check: verification fails and "
        "production rolls back by itself (exit 4)"
    )
    Health.status = 503
    envman("promote", "--confirm", "production", expect=(4,), now="2026-11-30T12:00:00Z")
    check(latest("production")["kind"] == "rollback", "no automatic rollback was recorded")
    check(latest("production")["status"] == "verified", "the automatic rollback is not verified")
    check(image_tag("production") == "0.1.0", "production is not back on 0.1.0")
    step("In the holiday freeze (Tuesday 22 December), production refuses deploys too (exit 3)")
    envman("promote", "--confirm", "production", expect=(3,), now="2026-12-22T10:00:00Z")


if __name__ == "__main__":
    main()
