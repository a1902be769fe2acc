# Component "app" (envman.hcl): the API service (ECS Fargate behind a load balancer, its image
# repository) and the API Gateway in front of it. What changes with every release: promotion
# of backend_image_tag plans this component alone.

locals {
  name = "${var.project}-${var.environment}"
}

module "service" {
  source = "../../modules/service"

  name                      = local.name
  vpc_id                    = var.vpc_id
  public_subnet_ids         = var.public_subnet_ids
  private_subnet_ids        = var.private_subnet_ids
  alb_security_group_id     = var.alb_security_group_id
  service_security_group_id = var.service_security_group_id

  image_tag      = var.backend_image_tag
  container_port = var.container_port
  cpu            = var.task_cpu
  memory         = var.task_memory
  desired_count  = var.desired_count

  environment_variables = merge(
    {
      APP_ENVIRONMENT = var.environment
      DB_HOST         = var.db_address
      DB_PORT         = tostring(var.db_port)
      DB_NAME         = var.db_name
    },
    var.cache_address != "" ? { REDIS_HOST = var.cache_address, REDIS_PORT = tostring(var.cache_port) } : {},
  )
  secrets = {
    DB_USER     = "${var.db_secret_arn}:username::"
    DB_PASSWORD = "${var.db_secret_arn}:password::"
  }
  secret_arns = [var.db_secret_arn]

  certificate_arn     = var.certificate_arn
  deletion_protection = var.deletion_protection
  ecr_force_delete    = var.throwaway
  log_retention_days  = var.log_retention_days
  emulator_compat     = var.emulator_compat
}

module "api" {
  source = "../../modules/api"

  name               = local.name
  backend_url        = module.service.alb_url
  log_retention_days = var.log_retention_days
}
