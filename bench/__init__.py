"""Broadcast benchmark (not part of the test suite). Run: ``python -m bench.broadcast``."""
