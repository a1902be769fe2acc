locals {
  distribution = one(concat(aws_cloudfront_distribution.this, aws_cloudfront_distribution.emulator))

  origin_id   = "s3-${var.bucket_name}"
  origin_path = "/releases/${var.frontend_release}"
}

# --- private bucket ---------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logging needs a dedicated log bucket; CloudFront is the only reader.
  #checkov:skip=CKV_AWS_144:Cross-region replication is not needed: every release can be rebuilt from git.
  #checkov:skip=CKV_AWS_145:SSE-S3; SSE-KMS would need a key policy for CloudFront and brings nothing for public assets.
  #checkov:skip=CKV2_AWS_62:No event consumers.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "CloudFrontReadOnly"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [local.distribution.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# --- CloudFront -------------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name}-frontend"
  description                       = "CloudFront access to ${var.bucket_name}"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# Two variants because `lifecycle` cannot be conditional: exactly one exists. The emulator
# variant (emulator_compat = true) differs only in what the emulator cannot round-trip.
resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_68:WAF is added per organisation (a web ACL costs per month per environment).
  #checkov:skip=CKV2_AWS_47:See CKV_AWS_68.
  #checkov:skip=CKV_AWS_86:Access logging needs a dedicated log bucket.
  #checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate; a custom domain sets TLSv1.2_2021.
  #checkov:skip=CKV2_AWS_42:See CKV_AWS_174.
  #checkov:skip=CKV_AWS_310:A single origin; a failover origin brings nothing for one bucket.
  #checkov:skip=CKV_AWS_374:A public product: no geo restriction.
  #checkov:skip=CKV2_AWS_32:Set through var.response_headers_policy_id (default: the managed SecurityHeadersPolicy).

  count = var.emulator_compat ? 0 : 1

  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${var.name} frontend"
  default_root_object = var.default_root_object
  price_class         = var.price_class
  wait_for_deployment = var.wait_for_deployment

  origin {
    origin_id                = local.origin_id
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_path              = local.origin_path
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = var.cache_policy_id
    response_headers_policy_id = var.response_headers_policy_id
  }

  dynamic "custom_error_response" {
    for_each = var.spa_fallback ? [403, 404] : []

    content {
      error_code            = custom_error_response.value
      response_code         = 200
      response_page_path    = "/${var.default_root_object}"
      error_caching_min_ttl = 10
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = var.tags
}

resource "aws_cloudfront_distribution" "emulator" {
  #checkov:skip=CKV2_AWS_46:Emulator variant only: moto cannot round-trip the origin access control.
  #checkov:skip=CKV_AWS_68:WAF is added per organisation (a web ACL costs per month per environment).
  #checkov:skip=CKV2_AWS_47:See CKV_AWS_68.
  #checkov:skip=CKV_AWS_86:Access logging needs a dedicated log bucket.
  #checkov:skip=CKV_AWS_174:The default *.cloudfront.net certificate; a custom domain sets TLSv1.2_2021.
  #checkov:skip=CKV2_AWS_42:See CKV_AWS_174.
  #checkov:skip=CKV_AWS_310:A single origin; a failover origin brings nothing for one bucket.
  #checkov:skip=CKV_AWS_374:A public product: no geo restriction.
  #checkov:skip=CKV2_AWS_32:Set through var.response_headers_policy_id (default: the managed SecurityHeadersPolicy).

  count = var.emulator_compat ? 1 : 0

  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${var.name} frontend"
  default_root_object = var.default_root_object
  price_class         = var.price_class
  wait_for_deployment = var.wait_for_deployment

  origin {
    origin_id   = local.origin_id
    domain_name = aws_s3_bucket.this.bucket_regional_domain_name
    origin_path = local.origin_path
    # No origin_access_control_id: moto drops it, so it could never plan clean.
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = var.cache_policy_id
    response_headers_policy_id = var.response_headers_policy_id
  }

  dynamic "custom_error_response" {
    for_each = var.spa_fallback ? [403, 404] : []

    content {
      error_code            = custom_error_response.value
      response_code         = 200
      response_page_path    = "/${var.default_root_object}"
      error_caching_min_ttl = 10
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = var.tags

  lifecycle {
    # moto returns legacy forwarded_values next to the cache policy, and an ssl_support_method
    # for the default certificate.
    ignore_changes = [
      default_cache_behavior[0].forwarded_values,
      viewer_certificate[0].ssl_support_method,
    ]
  }
}
