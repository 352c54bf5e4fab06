"""Deprivation."""
