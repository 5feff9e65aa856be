"""Domain errors of the fingerprint engine."""

from __future__ import annotations


class FingerQualityError(ValueError):
    """A finger image that cannot become a template.

    ``reason`` is a stable code: ``undecodable`` (not a 2-D uint8 greyscale array),
    ``bad_resolution`` (dpi outside 250..1000), ``too_small`` / ``too_large`` (image size at
    500 dpi), ``low_ridge_area`` (too little foreground ridge area), ``too_few_minutiae``
    (fewer reliable minutiae, or valid cylinders, than the threshold table asks for).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class TemplateError(ValueError):
    """Template bytes that are corrupt, truncated, or of another extractor version."""
