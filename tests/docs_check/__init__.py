"""Tests of `python -m generator docs-check`."""
