variable "enabled" {
  description = "Create the cache. False creates nothing and the outputs are null."
  type        = bool
  default     = true
}

variable "name" {
  description = "Cluster id and prefix of the cache resources (at most 40 characters, lowercase)."
  type        = string

  validation {
    condition     = length(var.name) <= 40
    error_message = "name must be at most 40 characters (ElastiCache cluster id limit)."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the cache subnet group."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the cache."
  type        = string
}

variable "engine_version" {
  description = "Redis engine version. Must be concrete (e.g. \"7.1\"), as the emulator needs it."
  type        = string
  default     = "7.1"
}

variable "parameter_group_name" {
  description = "Parameter group (the default group of the engine family)."
  type        = string
  default     = "default.redis7"
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t4g.micro"
}

variable "port" {
  description = "Redis port."
  type        = number
  default     = 6379
}

variable "snapshot_retention_days" {
  description = "Days of automatic snapshots (0 disables them)."
  type        = number
  default     = 1
}

variable "emulator_compat" {
  description = "Emulator (moto) workaround: ignore `security_group_ids` of the cluster, which moto does not return as sent, so a second plan is clean. Keep false on real AWS. (moto also never finishes deleting a cache cluster or subnet group: keep the cache disabled on the emulator, or `terraform state rm` both before a destroy.)"
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
