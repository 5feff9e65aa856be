"""What a 1:1 check can decide, read from the calibrated LLR tables (``matching.fusion``).

A check reaches ``match`` when the fused LLR of what was compared is at least
``verify.match_llr`` (11.51 = ln 1e5: FMR <= 1e-5 per check, ``matching/thresholds.py``). Each
modality's LLR is capped by its table: a face at 12.48 (``FACE_LLR`` at distances <= 0.35), a
finger at 9.52 (``FINGER_LLR`` at LSS-R >= 0.05). So a face alone, or two fingers (19.04), can
reach ``match``; **one finger alone cannot**, however genuine: 9.52 is where the finger fit ran
out of impostors (its top block holds one pseudo-impostor against the genuine scores of the
1,400 / 14,400 FVC pairs), and a calibrated LLR of 9.52 bounds the false-match rate only at
e^-9.52 = 7.3e-5, short of the 1e-5 the verify band states. Showing 1e-5 for one finger would
need about 300,000 impostor comparisons with none at that score (rule of three); the tables
have 14,400. No looser single-finger row is added for the same reason.

A probe that cannot reach ``match`` is refused with 422 ``probe_cannot_decide`` and is not a
failed attempt: before extraction when the submitted modalities cannot (one finger and no face),
and after the comparison when those the person has stored templates for cannot (a face sent
for a person enrolled without one, with one finger). The refusal carries no band, so it tells
the agency nothing about the person's biometrics.
"""

from __future__ import annotations

from identity.platform.errors import Invalid
from matching import thresholds
from matching.fusion import FACE_LLR, FINGER_LLR


class CannotDecide(Invalid):
    code = "probe_cannot_decide"


def llr_ceiling(*, face: bool, fingers: int) -> float:
    """The largest fused LLR a check of these modalities can reach (the tables' maxima)."""
    return (max(FACE_LLR.llrs) if face else 0.0) + fingers * max(FINGER_LLR.llrs)


def can_match(*, face: bool, fingers: int) -> bool:
    """Whether a check of a face (or not) and ``fingers`` fingers can reach ``match``."""
    return llr_ceiling(face=face, fingers=fingers) >= thresholds.value("verify.match_llr")


def require_decidable(*, face: bool, fingers: int, compared: bool = False) -> None:
    """Raise ``CannotDecide`` (422) when these modalities can never reach ``match``."""
    if can_match(face=face, fingers=fingers):
        return
    what = "the modalities this person has templates for" if compared else "this probe"
    raise CannotDecide(
        f"{what} cannot reach a match: send a face or at least two fingers "
        "(one finger alone cannot decide at the stated false-match rate)",
        details={"face": face, "fingers": fingers,
                 "ceiling_llr": round(llr_ceiling(face=face, fingers=fingers), 2),
                 "match_llr": thresholds.value("verify.match_llr")})
