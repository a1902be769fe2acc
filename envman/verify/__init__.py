"""Verification after apply, promote and rollback (docs/operations.md)."""
