"""What the ledger tells about delivery: comparison of two environments and release notes
(docs/insight.md), DORA metrics and the static dashboard (docs/metrics.md, docs/dashboard.md).
Pure computation over release records; the commands read the ledgers."""
