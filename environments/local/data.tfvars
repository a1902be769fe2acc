# The data component (terraform/data): database and cache.
db_instance_class        = "db.t4g.micro"
db_allocated_storage     = 20
db_backup_retention_days = 0
cache_enabled            = false
cache_node_type          = "cache.t4g.micro"
