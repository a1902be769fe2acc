"""Components: several stacks per environment, wired by outputs (DESIGN section 10)."""
