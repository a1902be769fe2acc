# Component "network" (envman.hcl): the VPC, subnets and security groups every other component
# sits in. Changes rarely; its outputs are wired into data and app.

locals {
  name = "${var.project}-${var.environment}"
}

module "network" {
  source = "../../modules/network"

  name                     = local.name
  container_port           = var.container_port
  enable_nat_gateway       = var.enable_nat_gateway
  flow_logs_retention_days = var.log_retention_days
}
