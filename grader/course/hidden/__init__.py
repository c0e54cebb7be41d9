"""Hidden checks (instructor only; not shipped in a student release)."""
