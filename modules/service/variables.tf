variable "name" {
  description = "Name of the service and prefix of its resources (e.g. \"agentic-deals-staging\"). At most 28 characters (load balancer and target group names)."
  type        = string

  validation {
    condition     = length(var.name) <= 28
    error_message = "name must be at most 28 characters (the target group is named \"<name>-api\", limit 32)."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer target group."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the internet-facing load balancer (two AZs)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets of the Fargate tasks (two AZs, no public IPs)."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer."
  type        = string
}

variable "service_security_group_id" {
  description = "Security group of the tasks."
  type        = string
}

variable "image_tag" {
  description = "Tag of the API image in this module's ECR repository. Immutable tags only (a commit SHA or a release version), never \"latest\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid, immutable image tag (not \"latest\")."
  }
}

variable "container_name" {
  description = "Name of the API container in the task definition."
  type        = string
  default     = "api"
}

variable "container_port" {
  description = "Port the API container listens on."
  type        = number
  default     = 8000
}

variable "cpu" {
  description = "Fargate task CPU units (256, 512, 1024, 2048, 4096)."
  type        = number
  default     = 256
}

variable "memory" {
  description = "Fargate task memory in MiB (must fit the CPU size)."
  type        = number
  default     = 512
}

variable "desired_count" {
  description = "Number of tasks the service keeps running."
  type        = number
  default     = 1
}

variable "health_check_path" {
  description = "Path the target group health check requests."
  type        = string
  default     = "/health"
}

variable "environment_variables" {
  description = "Plain environment variables of the container (no secrets: use `secrets`)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Container environment variables read from Secrets Manager at start: name => valueFrom (secret ARN, optionally with \":json-key::\")."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "ARNs of the Secrets Manager secrets the execution role may read (the secrets referenced by `secrets`)."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate for an HTTPS listener on 443. When set, port 80 redirects to HTTPS; when null, port 80 forwards to the service."
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the container log group, in days."
  type        = number
  default     = 30
}

variable "log_kms_key_id" {
  description = "KMS key ARN to encrypt the log group with (null: CloudWatch's own encryption)."
  type        = string
  default     = null
}

variable "ecr_keep_images" {
  description = "How many images the ECR lifecycle policy keeps."
  type        = number
  default     = 30
}

variable "ecr_force_delete" {
  description = "Allow deleting the ECR repository while it still holds images (for throw-away environments)."
  type        = bool
  default     = false
}

variable "emulator_compat" {
  description = "Emulator (moto) workaround: ignore `availability_zone_rebalancing` on the ECS service, which moto never returns, so a second plan is clean. Keep false on real AWS."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
