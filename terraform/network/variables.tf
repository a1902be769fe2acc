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

variable "container_port" {
  description = "Port the API container listens on."
  type        = number
  default     = 8000
}

variable "enable_nat_gateway" {
  description = "One NAT gateway for the private subnets (the tasks pull images and read secrets through it)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the container and API access logs, in days."
  type        = number
  default     = 30
}
