"""Tests: api/access."""
