# environments/production/environment.hcl
description = "Live system used by end users; only releases verified in staging are promoted here"

backend "s3" {
  bucket       = "agentic-deals-tfstate"
  key          = "production/{component}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region = "us-east-1"
}

promotion {
  from = "staging"
  variables = {                       # "<component>.<variable>" = "<component>.<output>" of staging
    "app.backend_image_tag" = "app.backend_image_tag"
    "edge.frontend_release" = "edge.frontend_release"
  }
  require_verified = true
  min_soak         = "2h"
}

protection {
  confirm        = true
  promotion_only = true               # backend_image_tag / frontend_release change only by promote from staging
  deny_weekdays  = ["Friday", "Saturday", "Sunday"]
  timezone       = "UTC"
  freeze "holidays" {
    from   = "2026-12-19"
    to     = "2027-01-04"
    reason = "Holiday code freeze"
  }
  allow_rollback_in_freeze = true
}

verify {
  http "api" {
    url_output    = "app.health_url"
    expect_status = 200
    timeout       = "120s"
  }
  ecs_stable = true
  on_failure = "rollback"
}

hook "after_apply" {
  command     = ["scripts/db-migrate.sh"]
  working_dir = "../.."
}

notify "slack" {
  webhook_url_env = "SLACK_WEBHOOK"
  events          = ["apply_failed", "promote", "rollback", "verify_failed", "drift"]
}

drift {
  ignore = ["module.database.aws_db_instance.*.latest_restorable_time"]
}

# Review before apply (docs/review.md): the database and the buckets hold data, so
# no plan may delete or replace them without `--allow-destroy ADDRESS` (recorded in the release).
# The state bucket is created by `envman bootstrap`, outside the stack; "*aws_s3_bucket.*" also
# covers it should a stack ever manage it.
guard {
  prevent_destroy = [
    "module.database.aws_db_instance.*",
    "*aws_s3_bucket.*",
  ]
  max_destroy = 5
}

policy "baseline" {
  command     = ["python3", "policies/baseline.py"]
  working_dir = "../.."
}
