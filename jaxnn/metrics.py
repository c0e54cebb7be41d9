"""jaxnn.metrics (to be written)."""
