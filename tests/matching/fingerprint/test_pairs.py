"""The minutia pairs shown to adjudicators are the ones behind the LSS-R score."""

from __future__ import annotations

import math

import numpy as np

from matching.fingerprint import compare, make_template
from matching.fingerprint import params as P
from matching.fingerprint.pairs import paired_minutiae
from tests.matching.fingerprint.conftest import impression, random_minutiae


def _n_p(a, b) -> int:
    n_min = min(a.n_cylinders, b.n_cylinders)
    return P.MIN_NP + round(1 / (1 + math.exp(-P.TAU_P * (n_min - P.MU_P))) * (P.MAX_NP - P.MIN_NP))


def test_pairs_reproduce_the_score_and_find_true_correspondences() -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        base = random_minutiae(rng, 40)
        a, b = make_template(base), make_template(impression(rng, base, drop=0.0))
        pairs = paired_minutiae(a, b)
        assert len(pairs) == _n_p(a, b)
        assert math.isclose(
            sum(p.strength for p in pairs) / _n_p(a, b), compare(a, b), rel_tol=1e-6, abs_tol=1e-9
        )
        # Same minutia rows on both sides (the impression keeps the order).
        assert sum(p.a == p.b for p in pairs) >= 0.8 * len(pairs)
        assert [p.strength for p in pairs] == sorted((p.strength for p in pairs), reverse=True)


def test_unrelated_fingers_pair_weakly(synthetic_templates) -> None:
    mated = paired_minutiae(synthetic_templates["a_1"], synthetic_templates["a_2"])
    other = paired_minutiae(synthetic_templates["a_1"], synthetic_templates["c_1"])
    assert sum(p.strength for p in mated) > 1.5 * sum(p.strength for p in other)
