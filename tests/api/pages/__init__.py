"""Tests: api/pages."""
