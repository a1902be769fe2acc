# The data component (terraform/data): database and cache.
db_instance_class        = "db.r6g.large"
db_allocated_storage     = 100
db_max_allocated_storage = 500
db_multi_az              = true
db_backup_retention_days = 30
cache_enabled            = true
cache_node_type          = "cache.r7g.large"
