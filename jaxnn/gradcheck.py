"""jaxnn.gradcheck (to be written)."""
