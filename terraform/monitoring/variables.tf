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

variable "alarm_emails" {
  description = "E-mail addresses notified by the CloudWatch alarms."
  type        = list(string)
  default     = []
}

# --- wired from the app and data components (envman.hcl inputs) -------------------------------

variable "alb_arn_suffix" {
  description = "Load balancer of the app component."
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster of the app component."
  type        = string
}

variable "ecs_service_name" {
  description = "ECS service of the app component."
  type        = string
}

variable "db_instance_identifier" {
  description = "RDS instance of the data component."
  type        = string
}
