"""Verification after apply, promote and rollback (DESIGN section 6)."""
