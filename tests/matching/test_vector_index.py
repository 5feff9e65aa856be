"""Face 1:N index: exact and compressed modes, ids as database keys, snapshots, recall vs
exact search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.snapshot import SnapshotError
from matching.vector_index import (
    FACE_SPACE,
    FaceIndex,
    FaissVectorIndex,
    IndexTuning,
)

SMALL = IndexTuning(approx_min_size=3000, pq_m=32, refine_factor=10, retrain_growth=4.0)


def dlib_like(persons: int, seed: int, mates: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded vectors shaped like dlib face embeddings: norm ~1.4, different persons ~0.8 apart.

    Returns (gallery (persons, 128), probes (mates, 128)) where probe i is a new sample of
    gallery person i at a genuine-like distance (~0.4).
    """
    rng = np.random.default_rng(seed)
    centre = rng.normal(0.0, 0.11, size=128)
    scales = np.linspace(0.09, 0.02, 128)  # anisotropic, like the real embedding spectrum
    gallery = centre + rng.normal(size=(persons, 128)) * scales
    probes = gallery[:mates] + rng.normal(0.0, 0.4 / np.sqrt(2 * 128), size=(mates, 128))
    return gallery.astype(np.float32), probes.astype(np.float32)


def db_ids(n: int, seed: int = 1) -> np.ndarray:
    """Sparse, large int64 keys, as a database hands out after deletions."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(2**40, size=n, replace=False)).astype(np.int64) + 2**33


def test_exact_add_search_remove() -> None:
    gallery, probes = dlib_like(500, seed=3, mates=50)
    ids = db_ids(500)
    index = FaceIndex()
    index.add(ids, gallery)
    assert len(index) == 500 and index.is_exact
    assert np.array_equal(index.ids(), np.sort(ids))
    hits = index.search(probes[0], 5)
    assert hits[0][0] == ids[0] and hits[0][1] < 0.6 < hits[1][1]
    assert [d for _, d in hits] == sorted(d for _, d in hits)
    assert index.remove(np.array([ids[0], 12345])) == 1
    assert ids[0] not in index and len(index) == 499
    assert all(i != ids[0] for i, _ in index.search(probes[0], 5))


def test_add_replaces_existing_id_and_validates() -> None:
    gallery, _ = dlib_like(10, seed=4)
    index = FaceIndex()
    index.add(np.arange(10), gallery)
    index.add(np.array([3]), gallery[7:8])
    assert len(index) == 10
    assert {i for i, d in index.search(gallery[7], 2) if d < 1e-6} == {3, 7}
    with pytest.raises(ValueError, match="duplicate"):
        index.add(np.array([1, 1]), gallery[:2])
    with pytest.raises(ValueError):
        index.add(np.array([1]), gallery[:1, :64])
    with pytest.raises(ValueError, match="non-finite"):
        index.add(np.array([1]), np.full((1, 128), np.nan, np.float32))
    with pytest.raises(ValueError, match="ids"):
        index.add(np.array([1, 2]), gallery[:1])


def test_search_of_small_gallery_returns_only_what_exists() -> None:
    gallery, _ = dlib_like(3, seed=5)
    index = FaceIndex()
    assert index.search(gallery[0], 5) == []
    index.add(np.array([10, 20, 30]), gallery)
    assert len(index.search(gallery[0], 5)) == 3


def test_turns_approximate_past_the_size_and_keeps_recall_of_mates() -> None:
    """Compressed-scan results are checked against exact search over the same gallery."""
    gallery, probes = dlib_like(8000, seed=11, mates=400)
    ids = db_ids(8000, seed=2)
    exact = FaissVectorIndex(128, tuning=IndexTuning(10**9, 32, 10, 4.0))
    exact.add(ids, gallery)
    approx = FaissVectorIndex(128, tuning=SMALL)
    approx.add(ids[:2000], gallery[:2000])
    assert approx.is_exact
    approx.add(ids[2000:], gallery[2000:])
    assert not approx.is_exact and len(approx) == 8000
    assert np.array_equal(approx.ids(), exact.ids())
    e_ids, _ = exact.search_batch(probes, 10)
    a_ids, _ = approx.search_batch(probes, 10)
    mates_exact = e_ids[:, 0] == ids[:400]
    assert mates_exact.all()  # the synthetic mates are each other's nearest neighbour
    assert np.mean(a_ids[:, 0] == ids[:400]) >= 0.99
    # every candidate exact search finds within genuine-like distance is found too (>= 99%)
    e_ids, e_d = exact.search_batch(probes, 10)
    close = [set(i[d < 0.6]) for i, d in zip(e_ids, e_d, strict=True)]
    found = [len(c & set(a)) for c, a in zip(close, a_ids, strict=True)]
    assert sum(found) >= 0.99 * sum(len(c) for c in close)
    # removal and re-add work in compressed mode too
    assert approx.remove(ids[:10]) == 10 and len(approx) == 7990
    approx.add(ids[:1], gallery[:1])
    assert approx.search(gallery[0], 1)[0][0] == ids[0]


def test_compressed_mode_replaces_removes_and_re_encodes() -> None:
    gallery, _ = dlib_like(5000, seed=21)
    index = FaissVectorIndex(128, tuning=SMALL)
    index.add(np.arange(4000), gallery[:4000])
    assert not index.is_exact
    index.add(np.array([7]), gallery[4000:4001])  # replace id 7's vector
    assert index.search(gallery[4000], 1) == [(7, 0.0)]
    assert all(i != 7 for i, _ in index.search(gallery[7], 3))
    index.remove(np.arange(100, 600))  # > 10% stale: the compressed copy is re-encoded
    assert len(index) == 3500 and index._stale == 0
    assert index.search(gallery[700], 1) == [(700, 0.0)]
    assert all(i not in range(100, 600) for i, _ in index.search(gallery[300], 10))
    index.remove(index.ids())  # below the size again: back to the exact scan
    assert len(index) == 0 and index.is_exact and index.search(gallery[0], 3) == []


def test_snapshot_round_trip_in_both_modes(tmp_path: Path) -> None:
    gallery, probes = dlib_like(4000, seed=12, mates=20)
    ids = db_ids(4000, seed=3)
    for n, name in ((500, "exact"), (4000, "compressed")):
        index = FaceIndex(SMALL)
        index.add(ids[:n], gallery[:n])
        path = tmp_path / f"{name}.idx"
        index.save(path)
        back = FaceIndex.load(path, tuning=SMALL)
        assert isinstance(back, FaceIndex)
        assert back.is_exact == index.is_exact
        assert np.array_equal(back.ids(), index.ids())
        assert back.search(probes[0], 3) == index.search(probes[0], 3)
        assert isinstance(FaissVectorIndex.load(path, space=FACE_SPACE), FaissVectorIndex)


def test_corrupt_or_truncated_snapshot_is_refused(tmp_path: Path) -> None:
    gallery, _ = dlib_like(100, seed=13)
    index = FaceIndex()
    index.add(np.arange(100), gallery)
    path = tmp_path / "faces.idx"
    index.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SnapshotError, match="truncated"):
        FaceIndex.load(path)
    flipped = bytearray(data)
    flipped[-10] ^= 0xFF
    path.write_bytes(bytes(flipped))
    with pytest.raises(SnapshotError, match="checksum"):
        FaceIndex.load(path)
    with pytest.raises(SnapshotError):
        FaceIndex.load(tmp_path / "missing.idx")


def test_snapshot_of_other_space_is_refused(tmp_path: Path) -> None:
    other = FaissVectorIndex(128, space="dlib_resnet_v1/0")
    other.add(np.arange(3), dlib_like(3, seed=14)[0])
    other.save(tmp_path / "old.idx")
    with pytest.raises(SnapshotError, match="expected"):
        FaceIndex.load(tmp_path / "old.idx")


def test_crash_before_rename_keeps_old_snapshot(tmp_path: Path) -> None:
    gallery, _ = dlib_like(20, seed=15)
    index = FaceIndex()
    index.add(np.arange(10), gallery[:10])
    path = tmp_path / "faces.idx"
    index.save(path)
    index.add(np.arange(10, 20), gallery[10:])
    with pytest.raises(RuntimeError, match="crash_at"):
        index.save(path, crash_at="after_tmp")
    assert len(FaceIndex.load(path)) == 10
