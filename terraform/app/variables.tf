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

variable "backend_image_tag" {
  description = "Immutable tag (commit SHA) of the API image in the environment's ECR repository. Never \"latest\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.backend_image_tag)) && var.backend_image_tag != "latest"
    error_message = "backend_image_tag must be an immutable image tag such as a commit SHA (not \"latest\")."
  }
}

variable "task_cpu" {
  description = "Fargate CPU units of an API task."
  type        = number
  default     = 256
}

variable "task_memory" {
  description = "Fargate memory (MiB) of an API task."
  type        = number
  default     = 512
}

variable "desired_count" {
  description = "Number of API tasks."
  type        = number
  default     = 1
}

variable "container_port" {
  description = "Port the API container listens on."
  type        = number
  default     = 8000
}

variable "certificate_arn" {
  description = "ACM certificate for HTTPS on the load balancer (null: HTTP on port 80 only)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer and the database; a final DB snapshot is taken on delete when true."
  type        = bool
  default     = true
}

variable "throwaway" {
  description = "The environment may be destroyed with its data: no final DB snapshot, buckets/repositories emptied on destroy, secrets deleted at once."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the container and API access logs, in days."
  type        = number
  default     = 30
}

variable "emulator_compat" {
  description = "Turn on the modules' workarounds for the moto emulator (see each module's README). Never on real AWS."
  type        = bool
  default     = false
}

# --- wired from the network and data components (envman.hcl inputs) ---------------------------

variable "vpc_id" {
  description = "VPC of the network component."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the network component (load balancer)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Private subnets of the network component (tasks)."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Load balancer security group of the network component."
  type        = string
}

variable "service_security_group_id" {
  description = "Task security group of the network component."
  type        = string
}

variable "db_address" {
  description = "Database host of the data component."
  type        = string
}

variable "db_port" {
  description = "Database port of the data component."
  type        = number
}

variable "db_name" {
  description = "Database name of the data component."
  type        = string
}

variable "db_secret_arn" {
  description = "Secret with the database credentials, of the data component."
  type        = string
}

variable "cache_address" {
  description = "Redis host of the data component (\"\" when the cache is disabled)."
  type        = string
}

variable "cache_port" {
  description = "Redis port of the data component (0 when the cache is disabled)."
  type        = number
}
