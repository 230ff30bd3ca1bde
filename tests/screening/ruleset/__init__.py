"""Tests: screening/ruleset."""
