"""jaxnn.optim (to be written)."""
