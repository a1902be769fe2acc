# environments/staging/environment.hcl
description = "Production-like pre-release environment: every develop build is deployed and verified here"

backend "s3" {
  bucket       = "agentic-deals-tfstate"
  key          = "staging/{component}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region = "us-east-1"
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
  events          = ["apply_failed", "rollback", "verify_failed", "drift"]
}

drift {
  ignore = ["module.database.aws_db_instance.*.latest_restorable_time"]
}

policy "baseline" {
  command     = ["python3", "policies/baseline.py"]
  working_dir = "../.."
}
