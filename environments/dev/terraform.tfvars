# Dev: integration environment for the develop branch; small and disposable.
# Shared by every component: each stack is given only the variables it declares.
environment = "dev"
aws_region  = "us-east-1"

deletion_protection = false
throwaway           = true
log_retention_days  = 7
