# Wired into the data and app components by envman.hcl `inputs`.

output "vpc_id" {
  description = "VPC of the environment."
  value       = module.network.vpc_id
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer)."
  value       = module.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnets (tasks, database, cache)."
  value       = module.network.private_subnet_ids
}

output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = module.network.alb_security_group_id
}

output "service_security_group_id" {
  description = "Security group of the API tasks."
  value       = module.network.service_security_group_id
}

output "database_security_group_id" {
  description = "Security group of the database."
  value       = module.network.database_security_group_id
}

output "cache_security_group_id" {
  description = "Security group of the cache."
  value       = module.network.cache_security_group_id
}
