"""Drift detection (docs/drift.md): detect, classify, baseline, report formats.

- ``values``: attribute paths, recursive diffs, sensitivity masks (pure).
- ``rules``: ``drift.ignore`` rules and the acknowledgement baseline (pure + ledger I/O).
- ``classify``: findings and an environment's status from two plans (pure).
- ``companions`` / ``identities``: which companion resources manage a parent's elements, by
  the element's full identity; ``accounting``: what accounts for something new (pure).
- ``unmanaged`` / ``state_scan``: elements in state nobody manages (pure).
- ``absorbed``: drift an apply keeps, said before confirming and recorded in the release.
- ``documents``: statement-level changes of JSON policies and container definitions (pure).
- ``detect``: the terraform runs for one environment (one normal plan, shown when needed; never apply).
- ``report``: text, JSON, Markdown and JUnit renderers (pure).
"""
