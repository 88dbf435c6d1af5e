"""Tests of python -m generator fetch-docs."""
