terraform {
  # Ephemeral resources and write-only attributes (the database password) need Terraform 1.11.
  required_version = ">= 1.11"

  # Settings come from `terraform init -backend-config=...` (envman passes each environment's
  # environments/<env>/environment.hcl `backend "s3"` block).
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.88"
    }
  }
}

provider "aws" {
  region      = var.aws_region
  max_retries = var.aws_max_retries

  default_tags {
    tags = merge(var.tags, {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}
