"""Tests: api/clinic_systems."""
