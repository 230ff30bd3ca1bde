"""Tests: screening/engine."""
