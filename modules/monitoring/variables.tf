variable "name" {
  description = "Prefix of the alarm names and name of the SNS topic."
  type        = string
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (dimension LoadBalancer)."
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster of the service."
  type        = string
}

variable "ecs_service_name" {
  description = "ECS service to watch."
  type        = string
}

variable "db_instance_identifier" {
  description = "RDS instance to watch."
  type        = string
}

variable "alb_5xx_threshold" {
  description = "5xx responses (load balancer + targets) per 5 minutes that raise the alarm."
  type        = number
  default     = 10
}

variable "service_cpu_threshold" {
  description = "Average service CPU (%) over 10 minutes that raises the alarm."
  type        = number
  default     = 80
}

variable "database_cpu_threshold" {
  description = "Average database CPU (%) over 10 minutes that raises the alarm."
  type        = number
  default     = 80
}

variable "kms_master_key_id" {
  description = "KMS key of the SNS topic."
  type        = string
  default     = "alias/aws/sns"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
