# Component "edge" (envman.hcl): the static frontend (S3 bucket of releases) served by CloudFront.
# Independent of the others: a first build creates it while network is created.

data "aws_caller_identity" "current" {}

locals {
  name = "${var.project}-${var.environment}"
}

module "frontend" {
  source = "../../modules/frontend"

  name                = local.name
  bucket_name         = "${local.name}-frontend-${data.aws_caller_identity.current.account_id}"
  frontend_release    = var.frontend_release
  price_class         = var.cloudfront_price_class
  force_destroy       = var.throwaway
  wait_for_deployment = !var.emulator_compat
  emulator_compat     = var.emulator_compat
}
