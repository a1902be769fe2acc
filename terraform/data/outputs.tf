# db_* and cache_* are wired into the app component, db_instance_identifier into monitoring.
# A null output is not kept in state, so a disabled cache outputs "" and 0 (app checks for "").
# Nothing secret is output (the DB secret ARN is not a secret).

output "db_address" {
  description = "Host name of the PostgreSQL instance."
  value       = module.database.address
}

output "db_port" {
  description = "Port of the PostgreSQL instance."
  value       = module.database.port
}

output "db_name" {
  description = "Name of the application database."
  value       = module.database.db_name
}

output "db_endpoint" {
  description = "Host name and port of the PostgreSQL instance."
  value       = "${module.database.address}:${module.database.port}"
}

output "db_instance_identifier" {
  description = "Identifier of the RDS instance (CloudWatch alarms)."
  value       = module.database.instance_identifier
}

output "db_secret_arn" {
  description = "ARN of the Secrets Manager secret with the database credentials (the value stays in Secrets Manager)."
  value       = module.database.secret_arn
}

output "cache_address" {
  description = "Host name of Redis (\"\" when the cache is disabled)."
  value       = module.cache.address != null ? module.cache.address : ""
}

output "cache_port" {
  description = "Port of Redis (0 when the cache is disabled)."
  value       = var.cache_enabled ? module.cache.port : 0
}

output "cache_endpoint" {
  description = "Host name and port of Redis (null when the cache is disabled or unknown)."
  value       = module.cache.address != null ? "${module.cache.address}:${module.cache.port}" : null
}
