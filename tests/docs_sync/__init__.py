"""Tests of python -m generator docs-sync."""
