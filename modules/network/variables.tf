variable "name" {
  description = "Name prefix for every resource of the network (e.g. \"agentic-deals-staging\")."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC. Subnets are carved out of it with cidrsubnet (/20 each for a /16)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be a valid IPv4 CIDR block."
  }
}

variable "availability_zones" {
  description = "Exactly two availability zones to spread the subnets over. Null picks the first two available zones of the region."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || length(coalesce(var.availability_zones, [])) == 2
    error_message = "availability_zones must list exactly two zones (or be null)."
  }
}

variable "enable_nat_gateway" {
  description = "Create one NAT gateway (in the first public subnet) so tasks in the private subnets can reach ECR, Secrets Manager and CloudWatch. Turn off only where the private subnets need no egress."
  type        = bool
  default     = true
}

variable "container_port" {
  description = "Port the service containers listen on; the load balancer may reach the service on it."
  type        = number
  default     = 8000
}

variable "listener_ports" {
  description = "Ports the public load balancer accepts from the internet."
  type        = list(number)
  default     = [80, 443]
}

variable "database_port" {
  description = "Port of the database, reachable from the service only."
  type        = number
  default     = 5432
}

variable "cache_port" {
  description = "Port of the cache, reachable from the service only."
  type        = number
  default     = 6379
}

variable "flow_logs_enabled" {
  description = "Send VPC flow logs (rejected and accepted traffic) to a CloudWatch log group."
  type        = bool
  default     = true
}

variable "flow_logs_retention_days" {
  description = "Retention of the flow log group, in days."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Extra tags for every resource (the provider's default_tags apply as well)."
  type        = map(string)
  default     = {}
}
