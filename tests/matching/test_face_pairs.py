"""All-vs-all face pairs (FAISS range search, CPU here) against brute force."""

from __future__ import annotations

import numpy as np

from matching.face_pairs import candidate_pairs, pairs_by_record


def _faces(n: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, (n, 128)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    # plant re-captures: each of the first 20 faces again, moved a little
    again = base[:20] + rng.normal(0, 0.02, (20, 128)).astype(np.float32)
    return np.vstack([base, again]).astype(np.float32)


def _brute(x: np.ndarray, t: float) -> set[tuple[int, int]]:
    d = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2)
    i, j = np.nonzero(np.triu(d <= t, k=1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def test_pairs_equal_brute_force_across_blocks():
    x = _faces(300)
    for t in (0.3, 0.55, 1.2):
        got = {(a, b) for i, j, _ in candidate_pairs(x, t, block=64, gpu=False)
               for a, b in zip(i.tolist(), j.tolist(), strict=True)}
        assert got == _brute(x, t), t
    planted = {(k, 300 + k) for k in range(20)}
    assert planted <= _brute(x, 0.55)


def test_distances_and_per_record_candidates():
    x = _faces(100)
    for i, j, d in candidate_pairs(x, 0.55, gpu=False):
        np.testing.assert_allclose(d, np.linalg.norm(x[i] - x[j], axis=1), atol=1e-4)
    by = pairs_by_record(x, 0.55, gpu=False)
    assert by[100 + 7][0][0] == 7  # the re-capture's closest earlier face is its original
    assert all(a < b for b, cands in by.items() for a, _ in cands)


def test_exactly_at_the_bound_is_kept_and_tiny_sets_give_nothing():
    x = np.zeros((2, 128), np.float32)
    x[1, 0] = 0.5
    assert [(int(i[0]), int(j[0])) for i, j, _ in candidate_pairs(x, 0.5, gpu=False)] == [(0, 1)]
    assert list(candidate_pairs(x[:1], 0.5, gpu=False)) == []
