"""envman tests."""
