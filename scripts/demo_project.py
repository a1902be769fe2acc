"""The throwaway project `make demo` runs (scripts/demo.py): the example platform's components.

The repository's envman.hcl (network, data, app, edge, monitoring) with copies of terraform/
and modules/ (terraform init writes a lock file into each stack: the repository stays as it
is). staging and production keep the protections, promotion and verification of
environments/, but talk to a moto server on 127.0.0.1, take the emulator-tuned inputs of
environments/local (shared terraform.tfvars and one <component>.tfvars each), check a local
health endpoint (the emulator's API has no real DNS) and post notifications to a local
receiver.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "envman-demo-tfstate"
# moto gives every RDS instance of a region the same DbiResourceId, and the AWS provider finds
# instances by it: one database per region. So each demo environment gets its own region.
REGIONS = {"staging": "us-west-2", "production": "eu-west-1"}
LEFT_OUT = (".terraform", "*.tfstate", "*.tfstate.*")


def replaced(text: str, old: str, new: str, where: str) -> str:
    """`text` with `old` replaced; an error when `old` is not there (the source file changed)."""
    if old not in text:
        raise SystemExit(f"demo: {where} no longer holds {old!r}: update scripts/demo_project.py")
    return text.replace(old, new)


def common_hcl(name: str, endpoint: str, health: str) -> str:
    return f'''description = "{name} of the example platform (five components), on the AWS emulator"

backend "s3" {{
  bucket       = "{BUCKET}"
  key          = "{name}/{{component}}/terraform.tfstate"
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


PRODUCTION = f'''
promotion {{
  from = "staging"
  variables = {{
    "app.backend_image_tag" = "app.backend_image_tag"
    "edge.frontend_release" = "edge.frontend_release"
  }}
  require_verified = true
  min_soak         = "2h"
}}

protection {{
  confirm        = true
  promotion_only = true
  deny_weekdays  = ["Friday", "Saturday", "Sunday"]
  timezone       = "UTC"
  freeze "holidays" {{
    from   = "2026-12-19"
    to     = "2027-01-04"
    reason = "Holiday code freeze"
  }}
}}

hook "after_apply" {{
  command = ["{ROOT / "scripts" / "db-migrate.sh"}"]
}}
'''


def environment_hcl(name: str, endpoint: str, health: str) -> str:
    text = common_hcl(name, endpoint, health)
    return text + PRODUCTION if name == "production" else text


def build_project(demo: Path, endpoint: str, health: str) -> None:
    """Write the demo project (envman.hcl, environments/staging and production) into `demo`."""
    if demo.exists():
        shutil.rmtree(demo)
    demo.mkdir(parents=True)
    shutil.copyfile(ROOT / "envman.hcl", demo / "envman.hcl")
    for part in ("terraform", "modules"):  # terraform init writes into a stack's folder
        shutil.copytree(ROOT / part, demo / part, ignore=shutil.ignore_patterns(*LEFT_OUT))
    local = ROOT / "environments" / "local"
    where = "environments/local/terraform.tfvars"
    for name in REGIONS:
        folder = demo / "environments" / name
        folder.mkdir(parents=True)
        (folder / "environment.hcl").write_text(environment_hcl(name, endpoint, health))
        shared = (local / "terraform.tfvars").read_text()
        shared = replaced(shared, 'environment = "local"', f'environment = "{name}"', where)
        shared = replaced(
            shared, 'aws_region  = "us-east-1"', f'aws_region  = "{REGIONS[name]}"', where
        )
        (folder / "terraform.tfvars").write_text(shared)
        for tfvars in sorted(local.glob("*.tfvars")):
            if tfvars.name != "terraform.tfvars":
                shutil.copyfile(tfvars, folder / tfvars.name)
