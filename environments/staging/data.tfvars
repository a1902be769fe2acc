# The data component (terraform/data): database and cache.
db_instance_class        = "db.t4g.small"
db_allocated_storage     = 20
db_max_allocated_storage = 50
db_backup_retention_days = 7
cache_enabled            = true
cache_node_type          = "cache.t4g.small"
