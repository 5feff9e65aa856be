from __future__ import annotations

import numpy as np
import pytest

from matching.fingerprint import FingerIndex, compare
from matching.snapshot import SnapshotError


def _exhaustive(probe, gallery):
    scores = [compare(probe, g) for g in gallery]
    return int(np.argmax(scores)), max(scores)


@pytest.fixture(scope="module")
def index(minutiae_gallery):
    gallery, _ = minutiae_gallery
    idx = FingerIndex()
    ids = np.arange(1000, 1000 + len(gallery), dtype=np.int64)
    idx.add(ids, [1 + i % 10 for i in range(len(gallery))], gallery)
    return idx


def test_index_finds_what_exhaustive_lssr_finds(minutiae_gallery, index):
    gallery, probes = minutiae_gallery
    by_id = {1000 + i: g for i, g in enumerate(gallery)}
    for probe in probes:
        best, best_score = _exhaustive(probe, gallery)
        candidates = index.search(probe, None, k=10)
        assert 1000 + best in [c for c, _ in candidates]
        top_id, top_score = max(((c, compare(probe, by_id[c])) for c, _ in candidates),
                                key=lambda kv: (kv[1], -kv[0]))
        assert (top_id, top_score) == (1000 + best, best_score)


def test_position_filter(minutiae_gallery, index):
    _, probes = minutiae_gallery
    i = 13  # enrolled at position 4
    hits = index.search(probes[i], 4, k=50)
    assert hits[0][0] == 1000 + i
    assert all((c - 1000) % 10 == 3 for c, _ in hits)
    assert 1000 + i not in [c for c, _ in index.search(probes[i], 7, k=50)]
    assert 1000 + i in [c for c, _ in index.search(probes[i], 5, k=50, neighbours=True)]


def test_ivf_recall_matches_flat(minutiae_gallery):
    gallery, probes = minutiae_gallery
    flat, ivf = FingerIndex(), FingerIndex(nlist=16, nprobe=8)
    ivf.train(gallery)
    ids = np.arange(len(gallery), dtype=np.int64)
    for idx in (flat, ivf):
        idx.add(ids, [0] * len(gallery), gallery)
    hits_flat = sum(flat.search(p, None, 5)[0][0] == i for i, p in enumerate(probes))
    hits_ivf = sum(i in [c for c, _ in ivf.search(p, None, 5)] for i, p in enumerate(probes))
    assert hits_flat == len(probes)
    assert hits_ivf >= 0.95 * len(probes)


def test_add_remove_ids(minutiae_gallery):
    gallery, probes = minutiae_gallery
    idx = FingerIndex()
    idx.add(np.array([5, 6, 7]), [1, 1, 2], gallery[:3])
    assert len(idx) == 3 and sorted(idx.ids().tolist()) == [5, 6, 7]
    assert idx.remove(np.array([6, 99])) == 1
    assert sorted(idx.ids().tolist()) == [5, 7]
    assert 6 not in [c for c, _ in idx.search(probes[1], None, 10)]
    idx.add(np.array([7]), [3], gallery[2:3])  # re-add replaces
    assert len(idx) == 2
    assert idx.search(probes[2], 3, 1)[0][0] == 7
    assert idx.search(probes[2], 2, 1) == []


def test_snapshot_round_trip_and_corruption(minutiae_gallery, index, tmp_path):
    _, probes = minutiae_gallery
    path = tmp_path / "fingers.idx"
    index.save(path)
    back = FingerIndex.load(path)
    assert sorted(back.ids().tolist()) == sorted(index.ids().tolist())
    for p in probes[:10]:
        assert back.search(p, None, 5) == index.search(p, None, 5)
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(SnapshotError):
        FingerIndex.load(path)
    with pytest.raises(SnapshotError):
        FingerIndex.load(tmp_path / "missing.idx")


def test_snapshot_crash_keeps_old(minutiae_gallery, index, tmp_path):
    from matching.snapshot import write_snapshot

    path = tmp_path / "fingers.idx"
    index.save(path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        write_snapshot(path, b"new", "hw-finger-idx1", crash_at="after_tmp")
    assert path.read_bytes() == before
    assert len(FingerIndex.load(path)) == len(index)


def test_from_bytes_rejects_garbage(index):
    data = index.to_bytes()
    for bad in (b"", b"HWFI", data[:-10], data[:12] + b"x" * (len(data) - 12)):
        with pytest.raises(ValueError):
            FingerIndex.from_bytes(bad)
