# Staging: production-like, smaller; every develop build is deployed here and verified.
environment = "staging"
aws_region  = "us-east-1"

# Initial release; later runs pin the inputs of the environment's current release.
backend_image_tag = "0.1.0"
frontend_release  = "0.1.0"

task_cpu      = 512
task_memory   = 1024
desired_count = 2

db_instance_class        = "db.t4g.small"
db_allocated_storage     = 20
db_max_allocated_storage = 50
db_backup_retention_days = 7

cache_enabled   = true
cache_node_type = "cache.t4g.small"

deletion_protection = true
throwaway           = false
log_retention_days  = 30
