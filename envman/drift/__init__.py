"""Drift detection (docs/drift.md): detect, classify, baseline, report formats.

- ``values``: attribute paths, recursive diffs, sensitivity masks (pure).
- ``rules``: ``drift.ignore`` rules and the acknowledgement baseline (pure + ledger I/O).
- ``classify``: findings and an environment's status from two plans (pure).
- ``detect``: the terraform runs for one environment (one normal plan, shown when needed; never apply).
- ``report``: text, JSON, Markdown and JUnit renderers (pure).
"""
