"""The jaxnn autograder: grades exercise modules against reference solutions in a sandbox."""

__version__ = "0.1.0"
