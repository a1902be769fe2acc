"""Configuration: project discovery, envman.hcl, environment.hcl and tfvars."""
