"""What the ledger tells about delivery (docs/insight.md): comparison of two environments,
release notes."""
