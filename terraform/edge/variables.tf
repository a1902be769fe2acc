# --- identity ---------------------------------------------------------------------------------

variable "environment" {
  description = "Name of the environment (local, dev, staging, production)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,13}$", var.environment))
    error_message = "environment must be 2-14 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "project" {
  description = "Project name: prefix of every resource name and the Project tag."
  type        = string
  default     = "agentic-deals"
}

variable "aws_region" {
  description = "AWS region of the environment."
  type        = string
  default     = "us-east-1"
}

variable "aws_max_retries" {
  description = "Retries of the AWS provider for a failing call. Null: the provider default (25). Set 1 on an emulator so unimplemented calls fail fast."
  type        = number
  default     = null
}

variable "tags" {
  description = "Extra tags on every resource (default_tags; Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

# --- this component ------------------------------------------------------------------------------

variable "frontend_release" {
  description = "Release of the static frontend: CloudFront serves s3://<frontend_bucket>/releases/<frontend_release>/."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", var.frontend_release))
    error_message = "frontend_release must be a single path segment of letters, digits, '.', '_' or '-'."
  }
}

variable "cloudfront_price_class" {
  description = "CloudFront price class of the frontend."
  type        = string
  default     = "PriceClass_100"
}

variable "throwaway" {
  description = "The environment may be destroyed with its data: no final DB snapshot, buckets/repositories emptied on destroy, secrets deleted at once."
  type        = bool
  default     = false
}

variable "emulator_compat" {
  description = "Turn on the modules' workarounds for the moto emulator (see each module's README). Never on real AWS."
  type        = bool
  default     = false
}
