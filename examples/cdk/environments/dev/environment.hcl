description = "Release records of dev, on the local AWS emulator (envman emulator start)"
stack       = "../../app"   # a CDK Terrain app: envman synthesises it (cdktf.json)

backend "s3" {
  bucket       = "envman-local-tfstate"
  key          = "cdk/dev/terraform.tfstate"
  region       = "us-east-1"
  use_lockfile = true
}

aws {
  region       = "us-east-1"
  endpoint_url = "http://127.0.0.1:4566"
}
