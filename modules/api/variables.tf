variable "name" {
  description = "Name of the HTTP API and prefix of its resources."
  type        = string
}

variable "backend_url" {
  description = "Base URL of the load balancer in front of the service (e.g. \"http://my-alb-123.us-east-1.elb.amazonaws.com\"), without a trailing slash."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+$", var.backend_url))
    error_message = "backend_url must be an http(s) URL without a path or trailing slash."
  }
}

variable "throttling_burst_limit" {
  description = "Burst limit of the $default stage."
  type        = number
  default     = 100
}

variable "throttling_rate_limit" {
  description = "Steady requests per second of the $default stage."
  type        = number
  default     = 50
}

variable "log_retention_days" {
  description = "Retention of the access log group, in days."
  type        = number
  default     = 30
}

variable "log_kms_key_id" {
  description = "KMS key ARN for the access log group (null: CloudWatch's own encryption)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
