"""Tests: screening/result."""
