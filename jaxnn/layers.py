"""jaxnn.layers (to be written)."""
