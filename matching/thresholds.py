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
    Threshold(
        name="face.min_face_px",
        value=60.0,
        direction="size",
        calibrated_for="quality gate: smaller side of the HOG face box, in pixels of the submitted "
        "image; below it a face is 'face_too_small'. Policy, not an error-rate fit: dlib's HOG "
        "window is 80 px at 1x, so 60-80 px faces are only found after one 2x upsample.",
        data="LFW folds 1-5, 3,811 images of 250x250: boxes 72-149 px (1st percentile 86, "
        "median 103), none below the gate (.venv/bin/python -m bench.face_eval, face_box_px)",
    ),
    Threshold(
        name="face.match_distance",
        value=0.547,
        direction="lower is more similar (L2 distance of dlib encodings)",
        calibrated_for="1:1 face verification at FAR 1e-3 (TAR 90.3%); at FAR 1e-4 the distance "
        "is 0.476 (TAR 66.7%); EER 1.14% at 0.626. 1:N decisions use fusion.* instead",
        data="LFW folds 1-5, all pairs of 3,811 images (4,414 genuine, 7,255,541 impostor), "
        "dlib_resnet_v1/1 (.venv/bin/python -m bench.face_eval)",
    ),
    Threshold(
        name="face.index.approx_min_size",
        value=100_000.0,
        direction="count",
        calibrated_for="gallery size at which the exact face index (IndexFlatL2) is rebuilt as an "
        "IVF: below it exact search is already fast and loses no mate (PROVISIONAL, see bench)",
        data="bench/search_bench.py on synthetic dlib-like vectors",
    ),
    Threshold(
        name="face.index.ivf_lists_per_sqrt",
        value=4.0,
        direction="count",
        calibrated_for="IVF lists = this x sqrt(gallery size) (PROVISIONAL, see bench)",
        data="bench/search_bench.py on synthetic dlib-like vectors",
    ),
    Threshold(
        name="face.index.ivf_nprobe",
        value=32.0,
        direction="count",
        calibrated_for="IVF lists scanned per search (PROVISIONAL, see bench)",
        data="bench/search_bench.py on synthetic dlib-like vectors",
    ),
    Threshold(
        name="face.index.ivf_retrain_growth",
        value=4.0,
        direction="count",
        calibrated_for="retrain the IVF quantizer when the gallery is this many times the size it "
        "was trained on (keeps lists balanced); a policy, not an error-rate fit",
        data="-",
    ),
    # --- fingerprint (owned by matching/fingerprint) -----------------------------------------
    Threshold("finger.match_score", 0.04, "higher is more similar", "PROVISIONAL", "PROVISIONAL"),
    Threshold("finger.leader_quality", 0.55, "higher is more reliable", "PROVISIONAL", "PROVISIONAL"),
    Threshold("finger.min_minutiae", 12, "count", "PROVISIONAL", "PROVISIONAL"),
    Threshold("finger.min_cylinders", 8, "count", "PROVISIONAL", "PROVISIONAL"),
    Threshold("finger.min_ridge_area", 25000, "size", "PROVISIONAL", "PROVISIONAL"),
    # --- fusion and decision bands (owned by matching/fusion) ---------------------------------
    Threshold(
        name="fusion.match_llr",
        value=26.85,
        direction="higher is more similar (summed natural-log likelihood ratio)",
        calibrated_for="FPIR <= 1e-4 per search against a 46M-person gallery: a calibrated LLR "
        "exceeds t for a non-mate with probability <= e^-t, so t = ln(46e6 / 1e-4); "
        "FNIR: see fusion.review_llr",
        data="LLR tables of matching/fusion.py (bench/fusion_calibrate.py)",
    ),
    Threshold(
        name="fusion.review_llr",
        value=22.25,
        direction="higher is more similar (summed natural-log likelihood ratio)",
        calibrated_for="FPIR <= 1e-2 (share of new persons sent to an adjudicator) against a "
        "46M-person gallery, t = ln(46e6 / 1e-2)",
        data="LLR tables of matching/fusion.py (bench/fusion_calibrate.py)",
    ),
    # --- dedup candidate search (owned by enrollment/dedup) ----------------------------------
    Threshold("dedup.face_k", 50, "count", "face neighbours taken from the face index per "
              "search; mates beyond rank 50 are left to the fingers", "tuning, no calibration"),
    Threshold("dedup.finger_k", 20, "count", "finger candidates per probe finger from the "
              "finger index (votes), before LSS-R re-scoring", "tuning, no calibration"),
    Threshold("dedup.max_candidates", 10, "count", "persons re-scored 1:1 per search (by best "
              "index rank); the case shows at most this many", "tuning, no calibration"),
]

THRESHOLDS: dict[str, Threshold] = {row.name: row for row in _ROWS}


def value(name: str) -> float:
    """The value of threshold ``name`` (KeyError names the missing row)."""
    return THRESHOLDS[name].value
