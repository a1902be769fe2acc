# environments/local/environment.hcl
description = "The whole platform on the embedded AWS emulator (moto) for local work, the demo and tests"

backend "s3" {
  bucket       = "envman-local-tfstate"
  key          = "local/{component}/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region       = "us-east-1"
  endpoint_url = "http://127.0.0.1:4566"
}

drift {
  ignore = ["module.database.aws_db_instance.*.latest_restorable_time"]
}
