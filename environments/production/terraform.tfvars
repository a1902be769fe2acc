# Production: live system; only promoted releases from staging.
# Shared by every component: each stack is given only the variables it declares.
environment = "production"
aws_region  = "us-east-1"

deletion_protection    = true
throwaway              = false
log_retention_days     = 90
