"""Insight over the ledger: DORA metrics and the static dashboard (docs/metrics.md,
docs/dashboard.md). Pure computation over release records; the commands read the ledgers."""
