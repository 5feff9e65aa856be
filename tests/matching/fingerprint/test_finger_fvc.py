"""Real genuine and impostor pairs from FVC2002 (shared test data; skipped where absent)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.fingerprint import FingerTemplate, compare, extract_templates
from matching.thresholds import value

pytestmark = pytest.mark.shared_data


def _load(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("L"))


@pytest.fixture(scope="module")
def fvc(shared_data):
    folder = shared_data / "fingerprints"
    names = [
        ("FVC2002_DB1_B", "101_1"),
        ("FVC2002_DB1_B", "101_2"),
        ("FVC2002_DB1_B", "102_1"),
        ("FVC2002_DB2_B", "101_1"),
        ("FVC2002_DB2_B", "101_3"),
    ]
    paths = [folder / db / f"{n}.tif" for db, n in names]
    if not all(p.exists() for p in paths):
        pytest.skip("FVC2002 B sets not in the shared data")
    dpis = [569 if db == "FVC2002_DB2_B" else 500 for db, _ in names]
    out = extract_templates([_load(p) for p in paths], dpis)
    assert all(isinstance(t, FingerTemplate) for t in out), out
    return out


def test_genuine_clearly_above_impostor_clearly_below(fvc):
    threshold = value("finger.match_score")
    db1_a, db1_b, db1_other, db2_a, db2_b = fvc
    assert compare(db1_a, db1_b) > 3 * threshold
    assert compare(db2_a, db2_b) > 3 * threshold  # 569 dpi, normalised to 500
    for a, b in ((db1_a, db1_other), (db1_b, db1_other), (db1_a, db2_a), (db1_other, db2_b)):
        assert compare(a, b) < 0.7 * threshold
