locals {
  cluster = one(concat(aws_elasticache_cluster.this, aws_elasticache_cluster.emulator))
}

output "enabled" {
  description = "Whether the cache exists."
  value       = var.enabled
}

output "cluster_id" {
  description = "ID of the cache cluster (null when disabled)."
  value       = try(local.cluster.cluster_id, null)
}

output "address" {
  description = "Host name of the Redis node (null when disabled, or when the API returns no node, as on moto)."
  value       = try(local.cluster.cache_nodes[0].address, null)
}

output "port" {
  description = "Redis port (null when disabled)."
  value       = var.enabled ? var.port : null
}
