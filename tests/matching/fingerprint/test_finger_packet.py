"""Packet search (all fingers at once, on threads) and the IVF layout that grows with it."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from matching import thresholds
from matching.fingerprint import FingerIndex
from matching.fingerprint import ivf as tuning
from matching.fingerprint.index import SearchPlan


def _set(monkeypatch, name: str, value: float) -> None:
    row = thresholds.THRESHOLDS[name]
    monkeypatch.setitem(thresholds.THRESHOLDS, name, dataclasses.replace(row, value=value))


@pytest.fixture(scope="module")
def packet_index(minutiae_gallery):
    """Six persons of ten fingers (positions 1-10), from the 60 random fingers."""
    gallery, _ = minutiae_gallery
    idx = FingerIndex()
    ids = np.arange(len(gallery), dtype=np.int64)
    idx.add(ids, [1 + i % 10 for i in ids], gallery)
    return idx


def test_packet_search_equals_one_finger_at_a_time(minutiae_gallery, packet_index):
    _, probes = minutiae_gallery
    packet = {1 + i % 10: probes[i] for i in range(20, 30)}
    for plan in (SearchPlan(), SearchPlan(neighbours=True), SearchPlan(probe_cylinders=16)):
        alone = {pos: packet_index.search_packet({pos: tpl}, 5, plan)[pos]
                 for pos, tpl in packet.items()}
        with ThreadPoolExecutor(2) as pool:
            together = packet_index.search_packet(packet, 5, plan, pool)
        assert together == alone
    for pos, ranked in packet_index.search_packet(packet, 5).items():
        assert ranked[0][0] == 20 + (pos - 1)  # each finger finds its own mate first


def test_all_lists_visited_is_the_exhaustive_scan(minutiae_gallery):
    gallery, probes = minutiae_gallery
    ids = np.arange(len(gallery), dtype=np.int64)
    flat, ivf = FingerIndex(), FingerIndex(nlist=16, nprobe=1)
    ivf.train(gallery)
    for idx in (flat, ivf):
        idx.add(ids, [0] * len(gallery), gallery)
    every = SearchPlan(nprobe=16)
    for p in probes[:15]:
        assert ivf.search_packet({0: p}, 10, every) == flat.search_packet({0: p}, 10)


def test_layout_rules(monkeypatch):
    _set(monkeypatch, "finger.index.ivf_min_fingers", 1000)
    _set(monkeypatch, "finger.index.list_codes", 100)
    assert tuning.wanted_lists(999, 24_000) == 1
    assert tuning.wanted_lists(1000, 24_000) == 256  # 240 lists wanted -> nearest power of two
    assert tuning.wanted_lists(1000, 100) == 16  # never fewer than 16 lists once an IVF
    assert not tuning.needs_retune(1, 0, 999, 24_000)
    assert tuning.needs_retune(1, 0, 1000, 24_000)
    assert not tuning.needs_retune(256, 24_000, 2000, 95_999)
    assert tuning.needs_retune(256, 24_000, 4000, 96_000)  # grown retrain_growth (4) times
    assert not tuning.needs_retune(256, 0, 10**6, 10**8)  # trained by hand: left alone


def test_index_becomes_an_ivf_as_it_grows_and_keeps_every_finger(
        minutiae_gallery, monkeypatch, tmp_path):
    gallery, probes = minutiae_gallery
    _set(monkeypatch, "finger.index.ivf_min_fingers", 40)
    _set(monkeypatch, "finger.index.list_codes", 30)
    idx = FingerIndex()
    ids = np.arange(len(gallery), dtype=np.int64)
    idx.add(ids[:30], [2] * 30, gallery[:30])
    assert not idx.maybe_retune() and idx.nlist == 1
    idx.add(ids[30:], [2] * 30, gallery[30:])
    assert idx.maybe_retune()
    assert idx.nlist == 64 and idx.nprobe == thresholds.value("finger.index.nprobe")
    assert sorted(idx.ids().tolist()) == ids.tolist()
    stored = sum(len(tuning.index_codes(ix)[0]) for ix in idx._ivf.values())
    assert stored == idx.trained_codes  # every code of every finger moved over
    assert not idx.maybe_retune()  # stable until it grows again
    _set(monkeypatch, "finger.index.retrain_growth", 1)  # "grown enough": retrained, still IVF
    assert idx.maybe_retune() and idx.nlist == 64 and len(idx) == len(gallery)
    _set(monkeypatch, "finger.index.retrain_growth", 4)
    hits = sum(idx.search_packet({2: p}, 5, SearchPlan(nprobe=64))[2][0][0] == i
               for i, p in enumerate(probes))
    assert hits == len(probes)
    idx.save(tmp_path / "f.snap")
    back = FingerIndex.load(tmp_path / "f.snap")
    assert (back.nlist, back.nprobe, back.trained_codes) == (idx.nlist, idx.nprobe,
                                                             idx.trained_codes)
    assert back.search(probes[3], 2, 3) == idx.search(probes[3], 2, 3)
