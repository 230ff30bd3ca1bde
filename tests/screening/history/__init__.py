"""Tests: screening/history."""
