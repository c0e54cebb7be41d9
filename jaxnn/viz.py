"""jaxnn.viz (to be written)."""
