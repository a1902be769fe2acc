data "aws_availability_zones" "available" {
  count = var.availability_zones == null ? 1 : 0
  state = "available"
}

locals {
  azs = var.availability_zones != null ? var.availability_zones : slice(data.aws_availability_zones.available[0].names, 0, 2)

  # /16 -> /20 subnets: 0-1 public, 8-9 private (room to grow on both sides).
  public_cidrs  = [for i in range(2) : cidrsubnet(var.cidr_block, 4, i)]
  private_cidrs = [for i in range(2) : cidrsubnet(var.cidr_block, 4, i + 8)]
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })
}

# Take over the VPC's default security group and leave it without rules: nothing may use it.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.public_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(var.tags, { Name = "${var.name}-public-${local.azs[count.index]}", Tier = "public" })
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.private_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(var.tags, { Name = "${var.name}-private-${local.azs[count.index]}", Tier = "private" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = 2

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count = var.enable_nat_gateway ? 1 : 0

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-nat" })
}

resource "aws_nat_gateway" "this" {
  count = var.enable_nat_gateway ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id

  tags = merge(var.tags, { Name = var.name })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route" "private_nat" {
  count = var.enable_nat_gateway ? 1 : 0

  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

resource "aws_route_table_association" "private" {
  count = 2

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

# --- flow logs ---------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:Retention is a variable (flow_logs_retention_days).
  #checkov:skip=CKV_AWS_158:CloudWatch's own encryption is sufficient for flow logs.
  count = var.flow_logs_enabled ? 1 : 0

  name              = "/vpc/${var.name}/flow-logs"
  retention_in_days = var.flow_logs_retention_days

  tags = var.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "flow_logs" {
  count = var.flow_logs_enabled ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role" "flow_logs" {
  count = var.flow_logs_enabled ? 1 : 0

  name               = "${var.name}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.flow_logs_enabled ? 1 : 0

  name   = "flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}

resource "aws_flow_log" "this" {
  count = var.flow_logs_enabled ? 1 : 0

  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn

  tags = merge(var.tags, { Name = var.name })
}

# --- security groups -------------------------------------------------------------------------
# Rules between groups use aws_security_group_rule + source_security_group_id: on the moto
# emulator vpc_security_group_ingress_rule with referenced_security_group_id never plans clean.

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached by the service, database and cache modules.
  name        = "${var.name}-alb"
  description = "Public application load balancer"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_security_group" "service" {
  #checkov:skip=CKV2_AWS_5:Attached by the service, database and cache modules.
  name        = "${var.name}-service"
  description = "API containers (ECS Fargate tasks)"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-service" })
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Attached by the service, database and cache modules.
  name        = "${var.name}-database"
  description = "PostgreSQL, reachable from the service only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-database" })
}

resource "aws_security_group" "cache" {
  #checkov:skip=CKV2_AWS_5:Attached by the service, database and cache modules.
  name        = "${var.name}-cache"
  description = "Redis, reachable from the service only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-cache" })
}

resource "aws_security_group_rule" "alb_ingress_internet" {
  #checkov:skip=CKV_AWS_260:The load balancer is the public entry point; port 80 redirects to HTTPS when a certificate is set.
  for_each = toset([for p in var.listener_ports : tostring(p)])

  security_group_id = aws_security_group.alb.id
  description       = "Internet to the load balancer on ${each.value}"
  type              = "ingress"
  protocol          = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "alb_egress_service" {
  security_group_id        = aws_security_group.alb.id
  description              = "Load balancer to the service containers"
  type                     = "egress"
  protocol                 = "tcp"
  from_port                = var.container_port
  to_port                  = var.container_port
  source_security_group_id = aws_security_group.service.id
}

resource "aws_security_group_rule" "service_ingress_alb" {
  security_group_id        = aws_security_group.service.id
  description              = "Load balancer to the service containers"
  type                     = "ingress"
  protocol                 = "tcp"
  from_port                = var.container_port
  to_port                  = var.container_port
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group_rule" "service_egress_https" {
  security_group_id = aws_security_group.service.id
  description       = "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs) through the NAT gateway"
  type              = "egress"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "service_egress_database" {
  security_group_id        = aws_security_group.service.id
  description              = "Service to PostgreSQL"
  type                     = "egress"
  protocol                 = "tcp"
  from_port                = var.database_port
  to_port                  = var.database_port
  source_security_group_id = aws_security_group.database.id
}

resource "aws_security_group_rule" "service_egress_cache" {
  security_group_id        = aws_security_group.service.id
  description              = "Service to Redis"
  type                     = "egress"
  protocol                 = "tcp"
  from_port                = var.cache_port
  to_port                  = var.cache_port
  source_security_group_id = aws_security_group.cache.id
}

resource "aws_security_group_rule" "database_ingress_service" {
  security_group_id        = aws_security_group.database.id
  description              = "Service to PostgreSQL"
  type                     = "ingress"
  protocol                 = "tcp"
  from_port                = var.database_port
  to_port                  = var.database_port
  source_security_group_id = aws_security_group.service.id
}

resource "aws_security_group_rule" "cache_ingress_service" {
  security_group_id        = aws_security_group.cache.id
  description              = "Service to Redis"
  type                     = "ingress"
  protocol                 = "tcp"
  from_port                = var.cache_port
  to_port                  = var.cache_port
  source_security_group_id = aws_security_group.service.id
}
