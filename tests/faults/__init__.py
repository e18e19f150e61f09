"""Fault tests: what the platform does when a part it relies on fails (see docs/reliability.md)."""
