"""Tests: screening/interop."""
