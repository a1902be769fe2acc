"""`make demo`: the example platform through envman, on the embedded AWS emulator.

The real environments (dev, staging, production in environments/) point at AWS. The demo
builds a throwaway project under .envman/demo/ whose dev, staging and production use the same
stack (terraform/ and modules/) and the same protections, but talk to a moto server on
127.0.0.1, take the emulator-tuned sizing of environments/local, check a local health
endpoint (the emulator's load balancer has no real DNS) and post notifications to a local
receiver that prints them. Each step says in one line what it shows.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / ".envman" / "demo"
BUCKET = "envman-demo-tfstate"
TUESDAY = "2026-11-24T09:00:00Z"
# moto gives every RDS instance of a region the same DbiResourceId, and the AWS provider finds
# instances by it: one database per region. So each demo environment gets its own region.
REGIONS = {"dev": "us-east-2", "staging": "us-west-2", "production": "eu-west-1"}


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
        print(f"    [slack] {text}", flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def serve(handler: type[BaseHTTPRequestHandler]) -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def environment_hcl(name: str, endpoint: str, health: str) -> str:
    common = f'''description = "{name} of the example platform, on the AWS emulator"
stack       = "{ROOT / "terraform"}"

backend "s3" {{
  bucket       = "{BUCKET}"
  key          = "{name}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}}

aws {{
  region       = "{REGIONS[name]}"
  endpoint_url = "{endpoint}"
}}

notify "slack" {{
  webhook_url_env = "DEMO_SLACK_WEBHOOK"
}}

drift {{
  ignore = ["module.database.aws_db_instance.*.latest_restorable_time"]
}}
'''
    verify = f'''
verify {{
  http "api" {{
    url           = "{health}/health"
    expect_status = 200
    timeout       = "4s"
    interval      = "1s"
  }}
  on_failure = "rollback"
}}
'''
    if name == "staging":
        return common + verify
    if name == "production":
        return (
            common
            + verify
            + f'''
promotion {{
  from = "staging"
  variables = {{
    backend_image_tag = "backend_image_tag"
    frontend_release  = "frontend_release"
  }}
  require_verified = true
  min_soak         = "2h"
}}

protection {{
  confirm       = true
  deny_weekdays = ["Friday", "Saturday", "Sunday"]
  freeze "holidays" {{
    from   = "2026-12-19"
    to     = "2027-01-04"
    reason = "Holiday code freeze"
  }}
}}

hook "after_apply" {{
  command     = ["{ROOT / "scripts" / "db-migrate.sh"}"]
}}
'''
        )
    return common


def build_project(endpoint: str, health: str) -> None:
    if DEMO.exists():
        shutil.rmtree(DEMO)
    local_tfvars = (ROOT / "environments" / "local" / "terraform.tfvars").read_text()
    for name in ("dev", "staging", "production"):
        folder = DEMO / "environments" / name
        folder.mkdir(parents=True)
        (folder / "environment.hcl").write_text(environment_hcl(name, endpoint, health))
        (folder / "terraform.tfvars").write_text(
            local_tfvars.replace('environment = "local"', f'environment = "{name}"').replace(
                'aws_region  = "us-east-1"', f'aws_region  = "{REGIONS[name]}"'
            )
        )


def envman(*args: str, expect: tuple[int, ...] = (0,), now: str | None = None) -> int:
    env = {**os.environ, "ENVMAN_NOW": now or TUESDAY, "ENVMAN_ACTOR": "demo"}
    print(f"  $ envman {' '.join(args)}", flush=True)
    code = subprocess.call([sys.executable, "-m", "envman", "--project", str(DEMO), *args], env=env)
    if code not in expect:
        raise SystemExit(f"demo: `envman {' '.join(args)}` exited {code}, expected {expect}")
    return code


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
    build_project(endpoint, health)
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
    import boto3

    step("Create the state bucket: versioned, encrypted, private, TLS only")
    envman("bootstrap", "dev")
    step("Validate every environment statically (variables, backend, promotion)")
    envman("validate")
    step(
        "Apply dev with a new backend image tag (the whole platform: VPC, ALB, ECS, RDS, S3+CloudFront, API Gateway)"
    )
    envman("apply", "dev", "--set", "backend_image_tag=3f2c1ab", "--yes")
    step("Apply staging with the same image tag and a new frontend release; verification passes")
    envman(
        "apply",
        "staging",
        "--set",
        "backend_image_tag=3f2c1ab",
        "--set",
        "frontend_release=1.1.0",
        "--yes",
    )
    step(
        "Promote staging to production three hours later (after min_soak); typed confirmation given by flag"
    )
    envman("promote", "--confirm", "production", now="2026-11-24T12:00:00Z")
    step("Production's outputs (sensitive ones would show as <sensitive>)")
    envman("outputs", "production")
    step("Ship a second build to staging")
    envman("apply", "staging", "--set", "backend_image_tag=9d8e7f6", "--yes")
    step("On a Friday, production refuses deploys (exit 3)")
    envman("promote", "--confirm", "production", expect=(3,), now="2026-11-27T15:00:00Z")
    step("Promote the second build on Tuesday afternoon")
    envman("promote", "--confirm", "production", now="2026-11-24T15:00:00Z")
    step("Status: current release per environment, and what waits for promotion")
    envman("status")
    step("Someone scales the production service by hand, behind terraform's back")
    outputs = json.loads(
        subprocess.check_output(
            [
                sys.executable,
                "-m",
                "envman",
                "--project",
                str(DEMO),
                "outputs",
                "production",
                "--json",
            ]
        )
    )
    ecs = boto3.client(
        "ecs",
        endpoint_url=os.environ["DEMO_ENDPOINT"],
        region_name=REGIONS["production"],
        aws_access_key_id="test",  # the emulator's static test credentials
        aws_secret_access_key="test",
    )
    ecs.update_service(
        cluster=outputs["ecs_cluster_name"]["value"],
        service=outputs["ecs_service_name"]["value"],
        desiredCount=3,
    )
    step("Drift detection finds exactly that change (exit 2)")
    envman("drift", "production", expect=(2,))
    step("Roll production back to the previous release (a real planned apply, recorded)")
    envman("rollback", "production", "--confirm", "production", now="2026-11-24T16:00:00Z")
    step(
        "The health endpoint starts failing; promoting again fails verification and rolls back by itself (exit 4)"
    )
    Health.status = 503
    envman("promote", "--confirm", "production", expect=(4,), now="2026-11-24T17:00:00Z")
    Health.status = 200
    step("The release history of production tells the whole story")
    envman("history", "production")


if __name__ == "__main__":
    main()
