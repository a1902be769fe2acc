"""The static dashboard of `envman report --html DIR` (docs/dashboard.md): pure rendering of
ledger facts into self-contained pages (inline CSS and SVG, no script, nothing fetched)."""
