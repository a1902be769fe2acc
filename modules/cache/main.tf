resource "aws_elasticache_subnet_group" "this" {
  count = var.enabled ? 1 : 0

  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.subnet_ids

  tags = var.tags
}

# Two variants because `lifecycle` cannot be conditional: at most one exists.
resource "aws_elasticache_cluster" "this" {
  #checkov:skip=CKV_AWS_134:Snapshot retention is a variable (snapshot_retention_days).
  count = var.enabled && !var.emulator_compat ? 1 : 0

  cluster_id               = var.name
  engine                   = "redis"
  engine_version           = var.engine_version
  node_type                = var.node_type
  num_cache_nodes          = 1
  parameter_group_name     = var.parameter_group_name
  port                     = var.port
  subnet_group_name        = aws_elasticache_subnet_group.this[0].name
  security_group_ids       = [var.security_group_id]
  snapshot_retention_limit = var.snapshot_retention_days
  apply_immediately        = false

  tags = var.tags
}

resource "aws_elasticache_cluster" "emulator" {
  #checkov:skip=CKV_AWS_134:Snapshot retention is a variable (snapshot_retention_days).
  count = var.enabled && var.emulator_compat ? 1 : 0

  cluster_id               = var.name
  engine                   = "redis"
  engine_version           = var.engine_version
  node_type                = var.node_type
  num_cache_nodes          = 1
  parameter_group_name     = var.parameter_group_name
  port                     = var.port
  subnet_group_name        = aws_elasticache_subnet_group.this[0].name
  security_group_ids       = [var.security_group_id]
  snapshot_retention_limit = var.snapshot_retention_days
  apply_immediately        = false

  tags = var.tags

  lifecycle {
    # moto does not return the security groups as sent.
    ignore_changes = [security_group_ids]
  }
}
