"""Fusion: LLR tables, missing modalities, and the calibration fit itself (what an LLR decides
is tested in test_posterior.py)."""

from __future__ import annotations

import numpy as np
import pytest

from matching import fusion


@pytest.mark.parametrize("table", [fusion.FACE_LLR, fusion.FINGER_LLR])
def test_tables_are_calibrated_monotone_and_finite(table: fusion.LlrTable) -> None:
    assert "UNCALIBRATED" not in table.source
    assert list(table.knots) == sorted(table.knots)
    llrs = np.array(table.llrs)
    assert np.all(np.isfinite(llrs))
    steps = np.diff(llrs)
    if table.direction == "lower is more similar":
        assert np.all(steps <= 1e-9)
    else:
        assert np.all(steps >= -1e-9)
    assert llrs.min() < -1 and llrs.max() > 5  # it separates, in both directions


def test_nothing_to_compare_is_no_evidence() -> None:
    fused = fusion.fuse(None, {})
    assert fused.llr == 0.0
    assert fused.face_llr is None and fused.finger_llrs == {}


def test_llr_is_the_sum_over_available_modalities() -> None:
    fused = fusion.fuse(0.45, {1: 0.3, 6: 0.05})
    assert fused.face_llr is not None
    assert fused.llr == pytest.approx(fused.face_llr + fused.finger_llrs[1] + fused.finger_llrs[6])
    assert set(fused.finger_llrs) == {1, 6}
    assert fusion.fuse(None, {1: 0.3}).llr == pytest.approx(fused.finger_llrs[1])


def test_face_direction() -> None:
    genuine, impostor = fusion.fuse(0.35, {}), fusion.fuse(0.90, {})
    assert genuine.face_llr is not None and impostor.face_llr is not None
    assert genuine.face_llr > 2.0 > 0.0 > -2.0 > impostor.face_llr


def test_clear_mates_and_clear_non_mates_are_far_apart() -> None:
    strong = dict.fromkeys(range(1, 11), 0.6)
    assert fusion.fuse(0.35, strong).llr > 90
    assert fusion.fuse(None, strong).llr > 90  # no face: fingers suffice
    weak = dict.fromkeys(range(1, 11), 0.01)
    assert fusion.fuse(0.95, weak).llr < -50


@pytest.mark.parametrize(
    ("face", "fingers"),
    [(-0.1, {}), (float("nan"), {}), (None, {0: 0.5}), (None, {11: 0.5}), (None, {1: 1.5}),
     (None, {1: float("inf")})],
)
def test_bad_inputs_raise(face, fingers) -> None:
    with pytest.raises(ValueError):
        fusion.fuse(face, fingers)


def test_fit_recovers_a_known_likelihood_ratio() -> None:
    """Genuine ~ N(1, 1), impostor ~ N(-1, 1): the true LLR is 2 s."""
    rng = np.random.default_rng(5)
    g, i = rng.normal(1, 1, 200_000), rng.normal(-1, 1, 200_000)
    knots = np.linspace(-2, 2, 21)
    table = fusion.fit_llr_table(g, i, knots, higher_is_genuine=True, source="test")
    assert np.allclose(table.llrs, 2 * knots, atol=0.25)
    flipped = fusion.fit_llr_table(-g, -i, -knots[::-1], higher_is_genuine=False, source="t")
    assert np.allclose(flipped.llrs, 2 * knots[::-1], atol=0.25)


def test_fit_is_monotone_and_finite_with_separated_classes() -> None:
    g, i = np.array([0.9, 0.8, 0.95]), np.array([0.1, 0.2, 0.15, 0.05])
    table = fusion.fit_llr_table(g, i, np.linspace(0, 1, 11), higher_is_genuine=True, source="t")
    assert np.all(np.isfinite(table.llrs)) and np.all(np.diff(table.llrs) >= 0)
    assert table(1.0) > 0 > table(0.0)
