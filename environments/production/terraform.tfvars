# Production: live system; only promoted releases from staging.
environment = "production"
aws_region  = "us-east-1"

# Initial release only: afterwards the inputs come from promotion (staging's outputs).
backend_image_tag = "0.1.0"
frontend_release  = "0.1.0"

task_cpu      = 1024
task_memory   = 2048
desired_count = 3

db_instance_class        = "db.r6g.large"
db_allocated_storage     = 100
db_max_allocated_storage = 500
db_multi_az              = true
db_backup_retention_days = 30

cache_enabled   = true
cache_node_type = "cache.r7g.large"

deletion_protection    = true
throwaway              = false
log_retention_days     = 90
cloudfront_price_class = "PriceClass_All"
