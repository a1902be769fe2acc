"""Verification after apply, promote and rollback (README: verification)."""
