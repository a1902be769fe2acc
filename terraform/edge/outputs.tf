# Promotion maps frontend_release into the next environment; the CloudFront invalidation uses
# cloudfront_distribution_id.

output "frontend_release" {
  description = "Served frontend release (promoted to the next environment)."
  value       = module.frontend.frontend_release
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
