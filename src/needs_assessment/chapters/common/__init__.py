"""Wording shared by every chapter (``text/``): sections that are not available or thin."""
