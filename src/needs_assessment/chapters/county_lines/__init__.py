"""County lines."""
