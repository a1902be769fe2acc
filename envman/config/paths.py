"""Names of the files and folders envman uses in a project (one place for them)."""

from __future__ import annotations

PROJECT_FILE = "envman.hcl"
ENVIRONMENT_FILE = "environment.hcl"
ENVIRONMENTS_DIR = "environments"
STATE_DIR = ".envman"
ENVS_DIR = "envs"  # .envman/envs/<env>/: everything envman keeps for an environment
CONFIG_CACHE = "cache/config"
FACTS_CACHE = "cache/facts"
