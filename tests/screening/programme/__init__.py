"""Tests: screening/programme."""
