"""When the finger index stops scanning every code, and how its IVF is (re)built.

A finger position's index scans all its codes while small. Past ``finger.index.ivf_min_fingers``
fingers at one position it becomes a binary IVF whose number of lists keeps about
``finger.index.list_codes`` codes a list (a power of two, so the cost of a search stays roughly
flat as the gallery grows); it is retrained when the largest position has grown
``finger.index.retrain_growth`` times past the size it was trained for. The codes are read back
from the index itself: no template has to be decrypted to retune.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching import thresholds

from .params import CODE_BITS, IVF_TRAIN_CODES_PER_LIST


def wanted_lists(max_fingers: int, max_codes: int) -> int:
    """The number of IVF lists for a gallery whose largest position holds these counts."""
    if max_fingers < thresholds.value("finger.index.ivf_min_fingers"):
        return 1
    target = max_codes / thresholds.value("finger.index.list_codes")
    return int(2 ** max(4, round(np.log2(max(target, 1.0)))))


def needs_retune(nlist: int, trained_codes: int, max_fingers: int, max_codes: int) -> bool:
    """True when the index should be rebuilt with ``wanted_lists`` lists: a scanned index
    once it holds enough fingers, an IVF once its codes grew ``retrain_growth`` times."""
    if nlist == 1:
        return max_fingers >= thresholds.value("finger.index.ivf_min_fingers")
    if trained_codes <= 0:  # trained by hand (a bench, an offline build): leave it
        return False
    return max_codes >= thresholds.value("finger.index.retrain_growth") * trained_codes


def index_codes(ivf: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every (code, id) stored in a binary IVF, read from its inverted lists."""
    import faiss

    inv = ivf.invlists
    size = CODE_BITS // 8
    codes, ids = [], []
    for lst in range(ivf.nlist):
        n = inv.list_size(lst)
        if not n:
            continue
        codes.append(np.array(faiss.rev_swig_ptr(inv.get_codes(lst), n * size)).reshape(n, size))
        ids.append(np.array(faiss.rev_swig_ptr(inv.get_ids(lst), n), dtype=np.int64))
    if not codes:
        return np.zeros((0, size), np.uint8), np.zeros(0, np.int64)
    return np.concatenate(codes), np.concatenate(ids)


def training_sample(codes: np.ndarray, nlist: int, seed: int = 0) -> np.ndarray:
    """A seeded sample of ``codes`` big enough to train ``nlist`` centroids."""
    want = min(len(codes), IVF_TRAIN_CODES_PER_LIST * nlist)
    rng = np.random.default_rng(seed)
    return codes[np.sort(rng.choice(len(codes), want, replace=False))]
