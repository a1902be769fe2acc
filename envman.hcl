# The example platform as components (docs/components.md, terraform/README.md): five stacks
# under terraform/, each with its own state per environment, wired by outputs. envman plans and
# applies them as a graph: network and edge at once, then data, app, monitoring.
#
#   network ──► data ──► app ──► monitoring
#      └───────────────►  ▲         ▲
#                         │   data ─┘
#   edge (independent)

component "network" {
  stack = "terraform/network"
}

component "data" {
  stack = "terraform/data"
  inputs = {
    private_subnet_ids         = "network.private_subnet_ids"
    database_security_group_id = "network.database_security_group_id"
    cache_security_group_id    = "network.cache_security_group_id"
  }
}

component "app" {
  stack = "terraform/app"
  inputs = {
    vpc_id                    = "network.vpc_id"
    public_subnet_ids         = "network.public_subnet_ids"
    private_subnet_ids        = "network.private_subnet_ids"
    alb_security_group_id     = "network.alb_security_group_id"
    service_security_group_id = "network.service_security_group_id"
    db_address                = "data.db_address"
    db_port                   = "data.db_port"
    db_name                   = "data.db_name"
    db_secret_arn             = "data.db_secret_arn"
    cache_address             = "data.cache_address"
    cache_port                = "data.cache_port"
  }
}

component "edge" {
  stack = "terraform/edge"
}

component "monitoring" {
  stack = "terraform/monitoring"
  inputs = {
    alb_arn_suffix         = "app.alb_arn_suffix"
    ecs_cluster_name       = "app.ecs_cluster_name"
    ecs_service_name       = "app.ecs_service_name"
    db_instance_identifier = "data.db_instance_identifier"
  }
}
