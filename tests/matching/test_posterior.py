"""The identity decision from the posterior: issue only when nobody on file is likely, match
only from near-certain biometrics, review in between; weak evidence never mints an ID."""

from __future__ import annotations

import math

import pytest

from matching import fusion, posterior, thresholds
from matching.posterior import Evidence, Prior

NATIONAL = 46_000_000
FULL = thresholds.value("posterior.reenrollment_rate")
WEAK = thresholds.value("posterior.reenrollment_rate_weak")
FACE_CAP = max(fusion.FACE_LLR.llrs)
FINGER_CAP = max(fusion.FINGER_LLR.llrs)


def test_no_candidate_is_issued() -> None:
    for rate in (FULL, WEAK):
        v = posterior.decide([], Prior(NATIONAL, rate))
        assert v.decision == posterior.ISSUE and v.best is None
        assert v.p_existing < thresholds.value("posterior.issue_max")


def test_ten_matching_fingers_match_at_national_scale() -> None:
    v = posterior.decide([Evidence(10 * FINGER_CAP)], Prior(NATIONAL, FULL))
    assert v.decision == posterior.MATCH and v.best == 0 and v.bands == ("match",)


def test_two_matching_fingers_are_review_never_issue() -> None:
    """Issue 14: two fingers give posterior odds of about 4:1 at 46M: a new ID is wrong."""
    v = posterior.decide([Evidence(2 * FINGER_CAP)], Prior(NATIONAL, WEAK))
    assert v.decision == posterior.REVIEW
    assert 0.5 < v.posteriors[0] < thresholds.value("posterior.match_min")


def test_face_alone_at_its_cap_is_review_on_a_small_gallery_and_weak_nationally() -> None:
    small = posterior.decide([Evidence(FACE_CAP)], Prior(10, WEAK))
    assert small.decision in (posterior.MATCH, posterior.REVIEW)
    national = posterior.decide([Evidence(FACE_CAP)], Prior(NATIONAL, WEAK))
    # At 46M a face alone is weak evidence: the posterior of that one person stays small.
    assert national.posteriors[0] < 0.01


def test_an_identical_capture_is_decisive_whatever_the_table_cap() -> None:
    v = posterior.decide([Evidence(FACE_CAP, identical=True)], Prior(NATIONAL, WEAK))
    assert v.decision == posterior.MATCH


def test_demographics_raise_suspicion_never_make_a_match_never_lower_it() -> None:
    base = Evidence(FACE_CAP - 6)
    agree = Evidence(FACE_CAP - 6, demographic_llr=25.0)
    disagree = Evidence(FACE_CAP - 6, demographic_llr=-40.0)
    prior = Prior(NATIONAL, WEAK)
    v0, v1, v2 = (posterior.decide([e], prior) for e in (base, agree, disagree))
    assert v1.p_existing > v0.p_existing == v2.p_existing
    assert v1.decision == posterior.REVIEW  # high posterior with names, but no biometric match
    assert v0.decision == posterior.ISSUE


def test_a_held_packet_can_block_an_id_but_never_be_matched() -> None:
    v = posterior.decide([Evidence(10 * FINGER_CAP, decidable=False)], Prior(NATIONAL, FULL))
    assert v.decision == posterior.REVIEW and v.bands == ("review",)


def test_every_candidate_counts() -> None:
    """Many moderately similar candidates together keep a packet from being issued when none
    would alone."""
    llr = math.log(thresholds.value("posterior.issue_max") * 0.4 * NATIONAL / (WEAK / (1 - WEAK)))
    one = posterior.decide([Evidence(llr)], Prior(NATIONAL, WEAK))
    many = posterior.decide([Evidence(llr)] * 5, Prior(NATIONAL, WEAK))
    assert one.decision == posterior.ISSUE and many.decision == posterior.REVIEW


def test_two_strong_candidates_are_review_not_a_coin_toss() -> None:
    v = posterior.decide([Evidence(60.0), Evidence(60.0)], Prior(NATIONAL, FULL))
    assert v.decision == posterior.REVIEW
    assert v.posteriors[0] == pytest.approx(v.posteriors[1])


def test_no_overflow_at_extreme_llrs() -> None:
    v = posterior.decide([Evidence(5000.0), Evidence(-5000.0)], Prior(1, FULL))
    assert v.decision == posterior.MATCH and v.posteriors[1] == 0.0
    with pytest.raises(ValueError):
        posterior.decide([], Prior(1, 1.5))


def test_a_full_shortlist_bounds_the_records_it_left_out() -> None:
    """Weak evidence on a national gallery: ten near-misses returned means thousands more like
    them beyond the shortlist; a face at its cap can then never be issued."""
    alone = posterior.decide([Evidence(FACE_CAP - 4)], Prior(NATIONAL, WEAK))
    crowded = posterior.decide([Evidence(FACE_CAP - 4)] + [Evidence(FACE_CAP - 5)] * 9,
                               Prior(NATIONAL, WEAK), unseen_llr=FACE_CAP - 5)
    assert alone.decision == posterior.ISSUE and crowded.decision == posterior.REVIEW
    ten_fingers = [Evidence(10 * FINGER_CAP)] + [Evidence(-50.0)] * 9
    assert posterior.decide(ten_fingers, Prior(NATIONAL, FULL),
                            unseen_llr=-50.0).decision == posterior.MATCH
