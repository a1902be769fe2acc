# Local: the whole platform on the embedded AWS emulator (moto). Smallest sizes, no cache
# Shared by every component: each stack is given only the variables it declares.
# (moto never finishes deleting ElastiCache), emulator workarounds on, fail fast on 500s.
environment = "local"
aws_region  = "us-east-1"

deletion_protection = false
throwaway           = true
log_retention_days  = 1

emulator_compat = true
aws_max_retries = 3
