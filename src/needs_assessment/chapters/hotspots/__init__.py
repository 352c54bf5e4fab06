"""Hotspots."""
