"""All-vs-all face pairs (exact FAISS k-nearest search, CPU here) against brute force."""

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


def _brute(x: np.ndarray, t: float, k: int) -> set[tuple[int, int]]:
    """Each face's k nearest others within t, as unordered pairs (either side suffices)."""
    d = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2).astype(np.float64)
    np.fill_diagonal(d, np.inf)
    out = set()
    for r in range(len(x)):
        for c in np.argsort(d[r], kind="stable")[:k]:
            if d[r, c] <= t:
                out.add((min(r, int(c)), max(r, int(c))))
    return out


def _got(x: np.ndarray, t: float, k: int, block: int) -> set[tuple[int, int]]:
    return {(a, b) for i, j, _ in candidate_pairs(x, t, k, block=block, gpu=False)
            for a, b in zip(i.tolist(), j.tolist(), strict=True)}


def test_pairs_equal_brute_force_across_blocks():
    x = _faces(300)
    for t, k in ((0.3, 10), (0.55, 10), (1.2, 3), (1.6, 10)):
        assert _got(x, t, k, 64) == _brute(x, t, k), (t, k)
    planted = {(n, 300 + n) for n in range(20)}
    assert planted <= _got(x, 0.55, 1, 64)  # a re-capture is its original's nearest face


def test_neighbours_bound_the_output_where_a_radius_would_not():
    x = _faces(300)
    wide = _got(x, 10.0, 400, 1000)  # k above N: every pair
    assert len(wide) == 320 * 319 // 2
    few = _got(x, 10.0, 2, 1000)
    assert len(few) <= 320 * 2
    by = pairs_by_record(x, 10.0, 2, gpu=False)
    assert all(len({a for a, _ in c}) == len(c) for c in by.values())  # each pair once


def test_distances_and_per_record_candidates():
    x = _faces(100)
    for i, j, d in candidate_pairs(x, 0.55, gpu=False):
        np.testing.assert_allclose(d, np.linalg.norm(x[i] - x[j], axis=1), atol=1e-4)
    by = pairs_by_record(x, 0.55, gpu=False)
    assert by[100 + 7][0][0] == 7  # the re-capture's closest earlier face is its original
    assert all(a < b for b, cands in by.items() for a, _ in cands)
    assert all(c == sorted(c, key=lambda p: p[1]) for c in by.values())


def test_exactly_at_the_bound_is_kept_and_tiny_sets_give_nothing():
    x = np.zeros((2, 128), np.float32)
    x[1, 0] = 0.5
    assert [(int(i[0]), int(j[0])) for i, j, _ in candidate_pairs(x, 0.5, gpu=False)] == [(0, 1)]
    assert list(candidate_pairs(x, 0.49, gpu=False)) == []
    assert list(candidate_pairs(x[:1], 0.5, gpu=False)) == []
