"""The one flow of a run over an environment's graph of components (docs/architecture.md)."""
