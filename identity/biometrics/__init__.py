"""Biometric services of the registry: the 1:N gallery, stored templates, 1:1 verification."""
