"""jaxnn.train (to be written)."""
