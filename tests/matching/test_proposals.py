"""The person search shared by dedup and the bench: plans, proposals, shortlist, re-scoring."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from matching import proposals, rescore, thresholds
from matching.fingerprint import FingerIndex, compare, make_template
from matching.fusion import fuse
from matching.vector_index import FaissVectorIndex
from tests.matching.fingerprint.conftest import impression, random_minutiae

STRIDE = 16
PERSONS = 8


@pytest.fixture(scope="module")
def population():
    """8 persons of a face and ten fingers; a mated probe packet for each."""
    rng = np.random.default_rng(11)
    faces = rng.normal(0, 0.1, (PERSONS, 128)).astype(np.float32)
    minutiae = {(p, j): random_minutiae(rng, int(rng.integers(30, 45)))
                for p in range(PERSONS) for j in range(1, 11)}
    enrolled = {k: make_template(m) for k, m in minutiae.items()}
    probes = {k: make_template(impression(rng, m)) for k, m in minutiae.items()}
    face_index = FaissVectorIndex(128)
    face_index.add(np.arange(PERSONS) * STRIDE, faces)
    fingers = FingerIndex()
    keys = sorted(enrolled)
    fingers.add(np.array([p * STRIDE + j for p, j in keys]), [j for _, j in keys],
                [enrolled[k] for k in keys])
    return faces, enrolled, probes, face_index, fingers


def _owner(tids: list[int]) -> dict[int, int]:
    return {t: t // STRIDE for t in tids}


def test_plan_depends_on_how_many_fingers():
    narrow, wide = proposals.plan_for(10), proposals.plan_for(4)
    n = int(thresholds.value("dedup.narrow_min_fingers"))
    assert proposals.plan_for(n).fingers == narrow.fingers
    assert not narrow.fingers.neighbours and wide.fingers.neighbours
    assert narrow.fingers.nprobe == thresholds.value("dedup.narrow_nprobe")
    assert narrow.fingers.probe_cylinders < wide.fingers.probe_cylinders


@pytest.mark.parametrize("with_face", [True, False])
def test_each_person_is_shortlisted_first_and_rescored_the_same_on_threads(population,
                                                                           with_face):
    faces, enrolled, probes, face_index, fingers = population
    with ThreadPoolExecutor(2) as pool:
        for p in range(PERSONS):
            packet = {j: probes[(p, j)] for j in range(1, 11)}
            face = faces[p] + 0.01 if with_face else None
            weights = proposals.propose(face_index, fingers, face, packet, pool=pool)
            assert weights == proposals.propose(face_index, fingers, face, packet)
            short = proposals.shortlist(weights, _owner, 3)
            assert short[0] == p
            held = {q: rescore.Enrolled(faces=[faces[q]],
                                          fingers={j: [enrolled[(q, j)]] for j in range(1, 11)})
                    for q in short}
            threaded = rescore.rescore(face, packet, held, pool)
            assert threaded == rescore.rescore(face, packet, held)
            mine = threaded[p]
            assert mine.finger_scores[4] == pytest.approx(compare(packet[4], enrolled[(p, 4)]))
            assert (mine.face_distance is not None) == with_face
            best = max(threaded, key=lambda q: fuse(threaded[q].face_distance,
                                                    threaded[q].finger_scores).llr)
            assert best == p


def test_missing_modalities_do_not_break_the_search(population):
    faces, _, probes, face_index, fingers = population
    assert proposals.propose(face_index, fingers, None, {}) == {}
    only_face = proposals.propose(face_index, fingers, faces[2], {})
    assert proposals.shortlist(only_face, _owner, 1) == [2]
    one_finger = proposals.propose(face_index, fingers, None, {7: probes[(5, 7)]})
    assert proposals.shortlist(one_finger, _owner, 1) == [5]
    assert rescore.rescore(None, {}, {5: rescore.Enrolled()})[5] == rescore.Evidence(
        None, {})
