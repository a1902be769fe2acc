# Component "data" (envman.hcl): the PostgreSQL database and the Redis cache. Holds the
# environment's data: its own state keeps an image promotion from ever planning it.

locals {
  name = "${var.project}-${var.environment}"
}

module "database" {
  source = "../../modules/database"

  name              = local.name
  subnet_ids        = var.private_subnet_ids
  security_group_id = var.database_security_group_id

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
  subnet_ids        = var.private_subnet_ids
  security_group_id = var.cache_security_group_id
  node_type         = var.cache_node_type
  emulator_compat   = var.emulator_compat
}
