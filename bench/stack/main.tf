# The benchmark stack: the AWS-provider stack of the tests (tests/fixtures/aws_basic) with tags
# on every resource. On the emulator an untagged resource reads back `tags = {}` where the state
# says null, which every refresh reports as drift; tagged, a fresh environment is in sync.
terraform {
  required_version = ">= 1.5"
  backend "s3" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region      = "us-east-1"
  max_retries = 4
}

variable "environment" {
  type = string
}

variable "image_tag" {
  type    = string
  default = "v1"
}

locals {
  tags = { environment = var.environment }
}

resource "aws_s3_bucket" "assets" {
  bucket = "envman-${var.environment}-assets"
  tags   = local.tags
}

resource "aws_ssm_parameter" "image_tag" {
  name  = "/${var.environment}/image_tag"
  type  = "String"
  value = var.image_tag
  tags  = local.tags
}

resource "aws_ecs_cluster" "main" {
  name = "envman-${var.environment}"
  tags = local.tags
}

output "image_tag" {
  value = nonsensitive(aws_ssm_parameter.image_tag.value)
}

output "bucket" {
  value = aws_s3_bucket.assets.bucket
}
