"""jaxnn.losses (to be written)."""
