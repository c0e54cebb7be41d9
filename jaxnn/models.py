"""jaxnn.models (to be written)."""
