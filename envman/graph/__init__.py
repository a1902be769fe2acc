"""Components: several stacks per environment, wired by outputs (docs/components.md)."""
