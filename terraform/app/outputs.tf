# Read by envman: promotion maps backend_image_tag into the next environment, verification uses
# health_url and the ECS names, the after_apply hook (scripts/db-migrate.sh) the task definition.
# alb_arn_suffix and the ECS names are wired into the monitoring component.

output "environment" {
  description = "Name of the environment."
  value       = var.environment
}

output "backend_image_tag" {
  description = "Deployed API image tag (promoted to the next environment)."
  value       = module.service.image_tag
}

output "api_url" {
  description = "Public base URL of the API (API Gateway $default stage)."
  value       = module.api.endpoint
}

output "health_url" {
  description = "Health check URL of the API, through API Gateway."
  value       = "${module.api.endpoint}/health"
}

output "alb_url" {
  description = "Base URL of the load balancer behind the API."
  value       = module.service.alb_url
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch metrics)."
  value       = module.service.alb_arn_suffix
}

output "backend_image" {
  description = "Full image reference the service runs."
  value       = module.service.image
}

output "ecr_repository_url" {
  description = "ECR repository to push API images to (tag = commit SHA)."
  value       = module.service.ecr_repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster of the API."
  value       = module.service.cluster_name
}

output "ecs_service_name" {
  description = "ECS service of the API."
  value       = module.service.service_name
}

output "task_definition_arn" {
  description = "Task definition (with revision) the API service runs."
  value       = module.service.task_definition_arn
}

output "db_endpoint" {
  description = "Host name and port of the database the service uses (for the migration hook)."
  value       = "${var.db_address}:${var.db_port}"
}
