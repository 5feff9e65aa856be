from __future__ import annotations

import numpy as np

from matching.fingerprint import compare, make_template
from matching.thresholds import value

from .conftest import impression


def test_synthetic_fixture_genuine_above_impostors_below(synthetic_templates):
    t = synthetic_templates
    threshold = value("finger.match_score")
    genuine = compare(t["a_1"], t["a_2"])
    impostors = [
        compare(t[x], t[y])
        for x, y in (("a_1", "b_1"), ("a_1", "c_1"), ("a_2", "b_1"), ("b_1", "c_1"))
    ]
    assert genuine > 3 * threshold
    assert max(impostors) < 0.7 * threshold


def test_scores_bounded_and_self_is_best(minutiae_gallery):
    gallery, probes = minutiae_gallery
    for g, p in zip(gallery[:10], probes[:10], strict=True):
        s_self, s_mate = compare(g, g), compare(g, p)
        s_other = compare(gallery[20], p)
        assert 0.0 <= s_other < s_mate < s_self <= 1.0


def test_rotation_invariance():
    rng = np.random.default_rng(3)
    from .conftest import random_minutiae

    m = random_minutiae(rng, 40)
    a = 0.9
    c, s = np.cos(a), np.sin(a)
    rot = np.column_stack([m[:, :2] @ np.array([[c, s], [-s, c]]), m[:, 2] + a])
    t1, t2 = make_template(m), make_template(rot)
    assert compare(t1, t2) > 0.5


def test_impostor_impressions_stay_low(minutiae_gallery):
    gallery, _ = minutiae_gallery
    rng = np.random.default_rng(11)
    other = make_template(impression(rng, gallery[1].minutiae))
    assert compare(gallery[0], other) < value("finger.match_score")
