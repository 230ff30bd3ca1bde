"""Tests: screening/intake."""
