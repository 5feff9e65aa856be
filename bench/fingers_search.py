"""1:N fingerprint search bench: FingerIndex candidates + LSS-R re-scoring vs exhaustive LSS-R.

    python -m bench.fingers_search --root ../shared/data/fingerprints --out var/bench-out/s.json \
        [--sizes 10000,100000,1000000] [--exhaustive 100]

Real data: the five FVC B sets (50 fingers). Gallery: impression 1 of every finger, padded with
synthetic distractors (``bench.fingers_synth``) to each size, all at position 0 (unknown: the
hardest case; a known position searches a tenth of the gallery). Mated searches: impressions
2-8 (350). Non-mated searches: two folds, each removing fingers 101-105 (then 106-110) of every
set from the index and searching all 8 of their impressions (400). A search returns the top
``k`` index candidates re-scored with LSS-R; its result is the best re-scored candidate.
Rank-1 hit rate, FNIR at FPIR 1% and at ``finger.match_score``, search time, RAM per finger.
Exhaustive LSS-R over the whole gallery runs at the smallest size on a seeded subset of the
searches (its time at bigger sizes is extrapolated from the per-comparison time, and said so).
The 1M gallery reuses the 100k distractors' codes 10 times with 4% of bits flipped
(a proxy for size, speed and memory; its accuracy is not a claim).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from bench.fingers_data import CACHE
from bench.fingers_eval import templates_for
from bench.fingers_synth import distractor_codes, distractor_template
from matching.fingerprint import FingerIndex, FingerTemplate, compare
from matching.fingerprint.ivf import training_sample
from matching.fingerprint.params import CODE_BITS
from matching.thresholds import value

log = logging.getLogger(__name__)
REAL_ID0 = 10**12


def _real(root: Path) -> dict[tuple[str, int, int], FingerTemplate]:
    out = {}
    for db in sorted(p for p in root.iterdir() if p.is_dir() and p.name.endswith("_B")):
        for (f, i), t in templates_for(db, CACHE).items():
            if isinstance(t, FingerTemplate):
                out[(db.name, f, i)] = t
    return out


def _build(n_distr: int, codes, counts, real_ids, real_tpl, nlist: int, nprobe: int):
    idx = FingerIndex(nlist=nlist, nprobe=nprobe)
    if nlist > 1:
        idx.train_codes(training_sample(codes, nlist))
    idx.add_codes(np.arange(n_distr), [0] * n_distr, codes, counts)
    idx.add(real_ids, [0] * len(real_ids), real_tpl)
    return idx


def _flip(codes: np.ndarray, rng: np.random.Generator, p: float) -> np.ndarray:
    out = np.empty_like(codes)
    for s in range(0, len(codes), 100_000):
        bits = np.unpackbits(codes[s : s + 100_000], axis=1)
        bits ^= (rng.random(bits.shape, dtype=np.float32) < p).astype(np.uint8)
        out[s : s + 100_000] = np.packbits(bits, axis=1)
    return out


def _search(idx, probe, k, template_of, search_ms, rescore_ms) -> tuple[int, float]:
    """Index candidates, then LSS-R on each; returns the best (id, score)."""
    t1 = time.perf_counter()
    cands = idx.search(probe, None, k)
    t2 = time.perf_counter()
    tpls = {c: template_of(c) for c, _ in cands}
    t3 = time.perf_counter()
    scored = [(c, compare(probe, t)) for c, t in tpls.items()]
    t4 = time.perf_counter()
    search_ms.append(1000 * (t2 - t1))
    rescore_ms.append(1000 * (t4 - t3))
    return max(scored, key=lambda cs: cs[1]) if scored else (-1, 0.0)


def _decide(top: list[tuple[bool, float]], non: list[float], fpir: float) -> float:
    """FNIR at the threshold whose FPIR (non-mated top score >= t) is at most ``fpir``."""
    s = np.sort(np.asarray(non))[::-1]
    j = int(np.floor(fpir * len(s)))
    t = s[j] + 1e-12 if j < len(s) else -np.inf
    return float(np.mean([not (hit and sc >= t) for hit, sc in top]))


def main(
    root: Path,
    out: Path,
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000),
    k: int = 20,
    exhaustive: int = 100,
    flat_max: int = 10_000,
    nlist: int = 1024,
    nprobe: int = 48,
) -> dict:
    root, out = Path(root), Path(out)
    real = _real(root)
    pool = [t.minutiae for t in real.values()]
    gal_keys = sorted(key for key in real if key[2] == 1)
    rid = {key: REAL_ID0 + j for j, key in enumerate(gal_keys)}
    by_id: dict[int, FingerTemplate] = {rid[key]: real[key] for key in gal_keys}
    mated = [key for key in real if key[2] != 1 and (key[0], key[1], 1) in rid]
    folds = [[key for key in real if (key[1] - 101) // 5 == f] for f in (0, 1)]
    thr = value("finger.match_score")
    distr_cache: dict[int, FingerTemplate] = {}

    def template_of(i: int) -> FingerTemplate:
        if i >= REAL_ID0:
            return by_id[i]
        if i not in distr_cache:
            distr_cache[i] = distractor_template(i % base_n, pool)
        return distr_cache[i]

    results = {}
    base_n = max(s for s in sizes if s <= 100_000) - len(gal_keys)
    base_codes, base_counts = distractor_codes(base_n, pool, CACHE / "fingers")
    for size in sizes:
        n_d = size - len(gal_keys)
        if n_d <= base_n:
            cut = int(base_counts[:n_d].sum())
            codes, counts = base_codes[:cut], base_counts[:n_d]
        else:
            rng = np.random.default_rng(size)
            reps = -(-n_d // base_n)
            codes = np.concatenate(
                [base_codes] + [_flip(base_codes, rng, 0.04) for _ in range(reps - 1)]
            )
            counts = np.tile(base_counts, reps)[:n_d]
            codes = codes[: int(counts.sum())]
        # about 250k fingers (6M codes) per 1024 lists
        lists = 1 if size <= flat_max else nlist * max(1, round(size / 250_000))
        probes_n = 1 if lists == 1 else nprobe
        t0 = time.perf_counter()
        idx = _build(
            n_d,
            codes,
            counts,
            np.array([rid[g] for g in gal_keys]),
            [real[g] for g in gal_keys],
            lists,
            probes_n,
        )
        build_s = time.perf_counter() - t0
        ram = len(idx.to_bytes()) / len(idx)
        search_ms: list[float] = []
        rescore_ms: list[float] = []
        mated_top: list[tuple[bool, float]] = []
        non_top: list[float] = []

        def run(probe, idx=idx, sm=search_ms, rm=rescore_ms) -> tuple[int, float]:
            return _search(idx, probe, k, template_of, sm, rm)

        for key in mated:
            best, score = run(real[key])
            mated_top.append((best == rid[(key[0], key[1], 1)], score))
        for fold in folds:
            gone = np.array([rid[g] for g in fold if g in rid])
            idx.remove(gone)
            for key in fold:
                non_top.append(run(real[key])[1])
            idx.add(gone, [0] * len(gone), [by_id[i] for i in gone])
        res = {
            "gallery": size,
            "distractors": n_d,
            "nlist": lists,
            "nprobe": probes_n,
            "code_bits": CODE_BITS,
            "candidates_k": k,
            "mated_searches": len(mated_top),
            "nonmated_searches": len(non_top),
            "rank1_hit_rate": float(np.mean([h for h, _ in mated_top])),
            "fnir_at_fpir_1pct": _decide(mated_top, non_top, 0.01),
            "fnir_at_match_score": float(np.mean([not (h and s >= thr) for h, s in mated_top])),
            "fpir_at_match_score": float(np.mean(np.asarray(non_top) >= thr)),
            "index_search_ms_median": float(np.median(search_ms)),
            "index_search_ms_p95": float(np.percentile(search_ms, 95)),
            "rescore_ms_median": float(np.median(rescore_ms)),
            "index_bytes_per_finger": ram,
            "build_s": build_s,
            "distractors_made_by": "bench/fingers_synth.py (mirrored, re-posed, perturbed FVC)"
            + ("" if n_d <= base_n else f"; >{base_n}: codes reused with 4% bits flipped"),
        }
        if size == min(sizes) and exhaustive:
            res["exhaustive"] = _exhaustive(
                real, rid, mated, folds, size, base_n, pool, exhaustive, thr, mated_top, non_top
            )
        log.info("%s", res)
        results[str(size)] = res
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    _plot(results, out.with_suffix(".png"))
    return results


def _exhaustive(real, rid, mated, folds, size, n_d, pool, n, thr, mated_top, non_top) -> dict:
    """Exhaustive LSS-R over the same gallery for a seeded subset of the searches."""
    rng = np.random.default_rng(1)
    m_sel = sorted(rng.choice(len(mated), min(n, len(mated)), replace=False).tolist())
    non_keys = [(f, key) for f, fold in enumerate(folds) for key in fold]
    n_sel = sorted(rng.choice(len(non_keys), min(n, len(non_keys)), replace=False).tolist())
    probes = [real[mated[j]] for j in m_sel] + [real[non_keys[j][1]] for j in n_sel]
    best = np.full(len(probes), -1.0)
    best_id = np.full(len(probes), -1, np.int64)
    n_cmp, t_cmp = 0, 0.0
    gallery = [(i, None) for i in range(n_d)] + [(rid[g], g) for g in sorted(rid)]
    for gid, gkey in gallery:
        g = distractor_template(gid, pool) if gkey is None else real[gkey]
        for p, probe in enumerate(probes):
            if gkey is not None and p >= len(m_sel):
                fold = non_keys[n_sel[p - len(m_sel)]][0]
                if (gkey[1] - 101) // 5 == fold:
                    continue  # removed from the gallery in this fold
            t0 = time.perf_counter()
            s = compare(probe, g)
            t_cmp += time.perf_counter() - t0
            n_cmp += 1
            if s > best[p]:
                best[p], best_id[p] = s, gid
    ex_hit = [best_id[p] == rid[(mated[j][0], mated[j][1], 1)] for p, j in enumerate(m_sel)]
    ex_ok = [h and best[p] >= thr for p, h in enumerate(ex_hit)]
    ix_ok = [mated_top[j][0] and mated_top[j][1] >= thr for j in m_sel]
    per_cmp_ms = 1000 * t_cmp / max(n_cmp, 1)
    return {
        "mated_searches": len(m_sel),
        "nonmated_searches": len(n_sel),
        "rank1_hit_rate": float(np.mean(ex_hit)),
        "index_rank1_hit_rate_same_searches": float(np.mean([mated_top[j][0] for j in m_sel])),
        "fnir_at_match_score": float(1 - np.mean(ex_ok)),
        "index_fnir_at_match_score_same_searches": float(1 - np.mean(ix_ok)),
        "mates_found_by_exhaustive_lost_by_index": int(
            sum(e and not i for e, i in zip(ex_ok, ix_ok, strict=True))
        ),
        "fpir_at_match_score": float(np.mean(best[len(m_sel) :] >= thr)),
        "compare_ms_mean": per_cmp_ms,
        "search_ms_per_probe": per_cmp_ms * size,
        "search_s_extrapolated": {s: per_cmp_ms * s / 1000 for s in (100_000, 1_000_000)},
    }


def _plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [int(s) for s in results]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(sizes, [results[str(s)]["rank1_hit_rate"] for s in sizes], "o-", label="rank-1 hit")
    a.plot(
        sizes,
        [1 - results[str(s)]["fnir_at_fpir_1pct"] for s in sizes],
        "s-",
        label="1 - FNIR @ FPIR 1%",
    )
    a.set_xscale("log")
    a.set_xlabel("gallery fingers")
    a.legend()
    a.grid(alpha=0.3)
    b.plot(
        sizes,
        [results[str(s)]["index_search_ms_median"] for s in sizes],
        "o-",
        label="index search (median ms)",
    )
    b.set_xscale("log")
    b.set_yscale("log")
    b.set_xlabel("gallery fingers")
    b.legend()
    b.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cli(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="1:N fingerprint search bench")
    ap.add_argument("--root", type=Path, required=True, help="folder holding the FVC B sets")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--k", type=int, default=20, help="index candidates re-scored per search")
    ap.add_argument(
        "--exhaustive",
        type=int,
        default=100,
        help="mated and non-mated searches also run exhaustively (smallest size)",
    )
    ap.add_argument("--flat-max", type=int, default=10_000, help="exhaustive codes up to this")
    ap.add_argument("--nlist", type=int, default=1024)
    ap.add_argument("--nprobe", type=int, default=48)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sizes = tuple(int(s) for s in args.sizes.split(","))
    res = main(
        args.root, args.out, sizes, args.k, args.exhaustive, args.flat_max, args.nlist, args.nprobe
    )
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    cli()
