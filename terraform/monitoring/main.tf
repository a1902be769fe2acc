# Component "monitoring" (envman.hcl): CloudWatch alarms on the load balancer, the service and
# the database, and the SNS topic they notify. Planned again only when what it watches changes.

locals {
  name = "${var.project}-${var.environment}"
}

module "monitoring" {
  source = "../../modules/monitoring"

  name                   = local.name
  alarm_emails           = var.alarm_emails
  alb_arn_suffix         = var.alb_arn_suffix
  ecs_cluster_name       = var.ecs_cluster_name
  ecs_service_name       = var.ecs_service_name
  db_instance_identifier = var.db_instance_identifier
}
