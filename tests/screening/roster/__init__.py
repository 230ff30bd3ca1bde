"""Tests: screening/roster."""
