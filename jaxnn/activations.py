"""jaxnn.activations (to be written)."""
