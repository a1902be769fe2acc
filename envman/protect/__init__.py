"""Protections: confirmation, deploy windows (deny days, freezes), promotion rules."""
