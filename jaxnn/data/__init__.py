"""jaxnn.data (to be written)."""
