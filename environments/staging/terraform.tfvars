# Staging: production-like, smaller; every develop build is deployed here and verified.
# Shared by every component: each stack is given only the variables it declares.
environment = "staging"
aws_region  = "us-east-1"

deletion_protection = true
throwaway           = false
log_retention_days  = 30
