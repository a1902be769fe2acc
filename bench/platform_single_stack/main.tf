data "aws_caller_identity" "current" {}

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

module "database" {
  source = "../../modules/database"

  name              = local.name
  subnet_ids        = module.network.private_subnet_ids
  security_group_id = module.network.database_security_group_id

  instance_class        = var.db_instance_class
  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  multi_az              = var.db_multi_az
  backup_retention_days = var.db_backup_retention_days

  master_password  = var.db_password
  password_version = var.db_password_version

  # moto does not keep Performance Insights on (second plan never clean): off on the emulator.
  performance_insights_enabled = !var.emulator_compat

  deletion_protection         = var.deletion_protection
  skip_final_snapshot         = var.throwaway
  secret_recovery_window_days = var.throwaway ? 0 : 7
}

module "cache" {
  source = "../../modules/cache"

  enabled           = var.cache_enabled
  name              = local.name
  subnet_ids        = module.network.private_subnet_ids
  security_group_id = module.network.cache_security_group_id
  node_type         = var.cache_node_type
  emulator_compat   = var.emulator_compat
}

module "service" {
  source = "../../modules/service"

  name                      = local.name
  vpc_id                    = module.network.vpc_id
  public_subnet_ids         = module.network.public_subnet_ids
  private_subnet_ids        = module.network.private_subnet_ids
  alb_security_group_id     = module.network.alb_security_group_id
  service_security_group_id = module.network.service_security_group_id

  image_tag      = var.backend_image_tag
  container_port = var.container_port
  cpu            = var.task_cpu
  memory         = var.task_memory
  desired_count  = var.desired_count

  environment_variables = merge(
    {
      APP_ENVIRONMENT = var.environment
      DB_HOST         = module.database.address
      DB_PORT         = tostring(module.database.port)
      DB_NAME         = module.database.db_name
    },
    var.cache_enabled ? { REDIS_PORT = tostring(module.cache.port) } : {},
    module.cache.address != null ? { REDIS_HOST = module.cache.address } : {},
  )
  secrets = {
    DB_USER     = "${module.database.secret_arn}:username::"
    DB_PASSWORD = "${module.database.secret_arn}:password::"
  }
  secret_arns = [module.database.secret_arn]

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

module "monitoring" {
  source = "../../modules/monitoring"

  name                   = local.name
  alarm_emails           = var.alarm_emails
  alb_arn_suffix         = module.service.alb_arn_suffix
  ecs_cluster_name       = module.service.cluster_name
  ecs_service_name       = module.service.service_name
  db_instance_identifier = module.database.instance_identifier
}
