"""jaxnn.initializers (to be written)."""
