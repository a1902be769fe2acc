# Outputs read by envman: promotion maps backend_image_tag / frontend_release into the next
# environment, verification uses health_url and the ECS names, the CloudFront invalidation uses
# cloudfront_distribution_id. Nothing secret is output (the DB secret ARN is not a secret).

output "environment" {
  description = "Name of the environment."
  value       = var.environment
}

output "backend_image_tag" {
  description = "Deployed API image tag (promoted to the next environment)."
  value       = module.service.image_tag
}

output "frontend_release" {
  description = "Served frontend release (promoted to the next environment)."
  value       = module.frontend.frontend_release
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

output "frontend_bucket" {
  description = "Bucket of the frontend: upload a build to s3://<frontend_bucket>/releases/<frontend_release>/."
  value       = module.frontend.bucket_name
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution of the frontend (invalidated when frontend_release changes)."
  value       = module.frontend.distribution_id
}

output "frontend_url" {
  description = "HTTPS URL of the frontend."
  value       = module.frontend.url
}

output "db_endpoint" {
  description = "Host name and port of the PostgreSQL instance."
  value       = "${module.database.address}:${module.database.port}"
}

output "db_secret_arn" {
  description = "ARN of the Secrets Manager secret with the database credentials (the value stays in Secrets Manager)."
  value       = module.database.secret_arn
}

output "cache_endpoint" {
  description = "Host name and port of Redis (null when the cache is disabled or unknown)."
  value       = module.cache.address != null ? "${module.cache.address}:${module.cache.port}" : null
}

output "alarm_topic_arn" {
  description = "SNS topic the CloudWatch alarms notify."
  value       = module.monitoring.sns_topic_arn
}

output "vpc_id" {
  description = "VPC of the environment."
  value       = module.network.vpc_id
}
