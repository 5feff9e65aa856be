"""Every decision threshold and tuning constant of the matchers, in one table.

Each row says which way the score goes, the error rate it was calibrated for, and the data it was
calibrated on (with the command that reproduces the calibration). Change a value only together
with its calibration note.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    name: str
    value: float
    direction: str  # "higher is more similar" / "lower is more similar" / "size" / "count"
    calibrated_for: str
    data: str


_ROWS: list[Threshold] = [
    # --- face (owned by matching/face) -------------------------------------------------------
    # --- fingerprint (owned by matching/fingerprint) -----------------------------------------
    # --- fusion and decision bands (owned by matching/fusion) ---------------------------------
]

THRESHOLDS: dict[str, Threshold] = {row.name: row for row in _ROWS}


def value(name: str) -> float:
    """The value of threshold ``name`` (KeyError names the missing row)."""
    return THRESHOLDS[name].value
