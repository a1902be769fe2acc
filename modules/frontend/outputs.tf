output "bucket_name" {
  description = "Name of the frontend bucket. Upload a release to s3://<bucket>/releases/<release>/."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the frontend bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations)."
  value       = local.distribution.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = local.distribution.arn
}

output "domain_name" {
  description = "Domain name of the distribution (*.cloudfront.net)."
  value       = local.distribution.domain_name
}

output "url" {
  description = "HTTPS URL of the frontend."
  value       = "https://${local.distribution.domain_name}"
}

output "origin_path" {
  description = "Bucket prefix the distribution serves (/releases/<frontend_release>)."
  value       = local.origin_path
}

output "frontend_release" {
  description = "The served frontend release."
  value       = var.frontend_release
}
