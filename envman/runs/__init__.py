"""A run's own folder, its event log, and reconciliation of orphaned releases (docs/releases.md)."""
