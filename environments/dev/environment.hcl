# environments/dev/environment.hcl
description = "Shared development environment: small, disposable, applied by hand or from feature work"

backend "s3" {
  bucket       = "agentic-deals-tfstate"
  key          = "dev/{component}/terraform.tfstate"
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
  on_failure = "fail"
}

drift {
  ignore = ["module.database.aws_db_instance.*.latest_restorable_time"]
}
