#!/usr/bin/env bash
# Database migration hook of the example platform (envman `hook "after_apply"`, and the
# db-migration workflow).
#
# envman runs it with ENVMAN_ENVIRONMENT and the outputs of the environment's components
# (envman.hcl), each non-sensitive output twice: as ENVMAN_OUTPUT_<COMPONENT>_<NAME>
# (`app.ecs_cluster_name` -> ENVMAN_OUTPUT_APP_ECS_CLUSTER_NAME) and under its own name
# (ENVMAN_OUTPUT_ECS_CLUSTER_NAME: the first component in graph order that declares it). The
# script reads the component's name first and falls back to the bare one (a single-stack
# project, such as bench/platform_single_stack, has only those).
# The database (component `data`) sits in private subnets, so the real migration runs
# `alembic upgrade head` inside a one-off Fargate task of the service's own task definition
# (component `app`: same image, same secrets). This repository holds no API code, so the script
# prints the migration it would run and exits 0. Set DB_MIGRATE_DRY_RUN=0 once the API image
# ships alembic to make it start the task.
set -euo pipefail

env_name="${ENVMAN_ENVIRONMENT:?ENVMAN_ENVIRONMENT is not set (run me from envman or the workflow)}"
cluster="${ENVMAN_OUTPUT_APP_ECS_CLUSTER_NAME:-${ENVMAN_OUTPUT_ECS_CLUSTER_NAME:-}}"
service="${ENVMAN_OUTPUT_APP_ECS_SERVICE_NAME:-${ENVMAN_OUTPUT_ECS_SERVICE_NAME:-}}"
task_definition="${ENVMAN_OUTPUT_APP_TASK_DEFINITION_ARN:-${ENVMAN_OUTPUT_TASK_DEFINITION_ARN:-}}"
image="${ENVMAN_OUTPUT_APP_BACKEND_IMAGE:-${ENVMAN_OUTPUT_BACKEND_IMAGE:-}}"
image_tag="${ENVMAN_OUTPUT_APP_BACKEND_IMAGE_TAG:-${ENVMAN_OUTPUT_BACKEND_IMAGE_TAG:-}}"
db_endpoint="${ENVMAN_OUTPUT_DATA_DB_ENDPOINT:-${ENVMAN_OUTPUT_DB_ENDPOINT:-}}"
dry_run="${DB_MIGRATE_DRY_RUN:-1}"

if [[ -z "$cluster" || -z "$task_definition" ]]; then
  echo "db-migrate: outputs app.ecs_cluster_name / app.task_definition_arn missing for '$env_name'; nothing to migrate" >&2
  exit 1
fi

echo "db-migrate: environment      $env_name"
echo "db-migrate: database         ${db_endpoint:-<unknown>}"
echo "db-migrate: image            ${image:-<unknown>} (tag ${image_tag:-<unknown>})"
echo "db-migrate: would run        alembic upgrade head"
echo "db-migrate: in a one-off task of $task_definition on cluster $cluster"

if [[ "$dry_run" != "0" ]]; then
  echo "db-migrate: dry run (DB_MIGRATE_DRY_RUN=$dry_run): no task started"
  exit 0
fi

# Real run: the network settings are those of the service, read from ECS itself.
network="$(aws ecs describe-services --cluster "$cluster" --services "${service:?output app.ecs_service_name missing}" \
  --query 'services[0].networkConfiguration' --output json)"
task_arn="$(aws ecs run-task --cluster "$cluster" --task-definition "$task_definition" \
  --launch-type FARGATE --network-configuration "$network" \
  --overrides '{"containerOverrides":[{"name":"api","command":["alembic","upgrade","head"]}]}' \
  --query 'tasks[0].taskArn' --output text)"
echo "db-migrate: started $task_arn; waiting for it to stop"
aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task_arn"
exit_code="$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task_arn" \
  --query 'tasks[0].containers[0].exitCode' --output text)"
echo "db-migrate: migration task exited with $exit_code"
[[ "$exit_code" == "0" ]]
