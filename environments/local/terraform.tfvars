# Local: the whole platform on the embedded AWS emulator (moto). Smallest sizes, no cache
# (moto never finishes deleting ElastiCache), emulator workarounds on, fail fast on 500s.
environment = "local"
aws_region  = "us-east-1"

# Initial release; later runs pin the inputs of the environment's current release.
backend_image_tag = "0.1.0"
frontend_release  = "0.1.0"

task_cpu      = 256
task_memory   = 512
desired_count = 1

db_instance_class        = "db.t4g.micro"
db_allocated_storage     = 20
db_backup_retention_days = 0

cache_enabled   = false
cache_node_type = "cache.t4g.micro"

enable_nat_gateway  = false
deletion_protection = false
throwaway           = true
log_retention_days  = 1

emulator_compat = true
aws_max_retries = 3
