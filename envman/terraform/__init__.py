"""A typed runner over the terraform binary: one module per terraform command."""
