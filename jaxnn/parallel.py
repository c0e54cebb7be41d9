"""jaxnn.parallel (to be written)."""
