"""A run's own folder, its event log, and reconciliation of orphaned releases (README: runs)."""
