variable "name" {
  description = "Prefix of the CloudFront resources (e.g. \"agentic-deals-staging\")."
  type        = string
}

variable "bucket_name" {
  description = "Name of the private S3 bucket holding the built frontend (globally unique)."
  type        = string
}

variable "frontend_release" {
  description = "Release of the static frontend to serve: CloudFront reads from s3://<bucket>/releases/<frontend_release>/."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", var.frontend_release))
    error_message = "frontend_release must be a single path segment of letters, digits, '.', '_' or '-'."
  }
}

variable "default_root_object" {
  description = "Object served for the root URL."
  type        = string
  default     = "index.html"
}

variable "spa_fallback" {
  description = "Serve the root object with status 200 for 403/404 from the origin (single-page app routing)."
  type        = bool
  default     = true
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}

variable "cache_policy_id" {
  description = "Cache policy of the default behaviour (default: the AWS-managed CachingOptimized policy)."
  type        = string
  default     = "658327ea-f89d-4fab-a63d-7e88639e58f6"
}

variable "response_headers_policy_id" {
  description = "Response headers policy of the default behaviour (default: the AWS-managed SecurityHeadersPolicy)."
  type        = string
  default     = "67f7725c-6f97-4210-82d7-5512b31e9d03"
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten object versions are deleted."
  type        = number
  default     = 90
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it holds objects (throw-away environments only)."
  type        = bool
  default     = false
}

variable "wait_for_deployment" {
  description = "Wait until the distribution is deployed before finishing an apply (the emulator never needs it: set false there)."
  type        = bool
  default     = true
}

variable "emulator_compat" {
  description = "Emulator (moto) workaround: moto drops origin_access_control_id from the distribution's origin, so a second plan is never clean while it is set. True leaves the origin without the OAC (the distribution then cannot read the private bucket: emulator only). The origin path (the release) stays managed either way. Keep false on real AWS."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
