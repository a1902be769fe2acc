"""Releases: the per-environment ledger next to the state, promotion and rollback."""
