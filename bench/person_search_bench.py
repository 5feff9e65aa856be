"""Person search (face + 10 fingers) on a synthetic gallery of N persons, approximate vs exact.

    .venv/bin/python -m bench.person_search_bench --persons 1000000 [--mated 2000] [--exact 100]
    (or: hawiya bench search --persons 1000000 --fingers)

What is searched is what dedup searches (``matching.proposals``: face index + the ten finger
position indexes, weights summed per person, the ``dedup.max_candidates`` best persons re-scored
1:1 with face L2 and LSS-R and fused into one LLR), timed end to end from the probe's templates
to the ranked candidates (extraction is enrollment's cost, measured by ``bench.enrollment_bench``;
database reads and decryption are not in it).

Gallery (N persons, each a face and ten fingers at positions 1-10):
- 50 chimeric *mated* persons: the 50 real FVC B fingers (five sets x ten) dealt out as a Latin
  square (person i, position j gets finger (i + 5j) mod 50, so each position holds every real
  finger once and no person repeats one), impression 1 enrolled; a synthetic face each.
- N - 50 distractor persons: faces from the Gaussian fitted on LFW encodings
  (``bench.search_bench``); each finger the codes of one of the ``--bank`` synthetic fingers of
  ``bench.fingers_synth`` (mirrored, re-posed, perturbed real minutiae) drawn at random, with 10
  of each code's 256 bits flipped, so no two gallery fingers share codes; its LSS-R template is
  the bank finger's (the index codes are flipped copies, the re-score sees the source).
Searches:
- mated: impressions 2-8 of a mated person's ten fingers (350 searches, all fingers of one
  impression), then fingers with randomly mixed impressions up to ``--mated``; a fresh face draw
  around the person's centre each time. Run with the face and without it (fingers alone).
- non-mated: ``--nonmated`` fresh persons (new faces, new synthetic fingers never enrolled).
- partial packets (``--partial``): the first ``--partial-searches`` of each with only 6, 4 or 2
  fingers (``PARTIAL``), with their plan from ``matching.proposals.plan_for`` (narrow or wide).
A mate is *found* when it is among the re-scored candidates with a fused LLR from which it alone
keeps the packet from being issued at this gallery's size (``matching.posterior.llr_bounds``:
dedup would stop a second ID); *re-scored* when the search proposed it at
all (a packet too thin to reach the review band by design, e.g. two fingers, still proposes
its mate); rank-1 is reported too.

Exact search = the same pipeline with the exact face scan and every IVF list visited (an
exhaustive Hamming scan of every code), on the first ``--exact`` mated and ``--exact // 5``
non-mated searches (it takes seconds a search). Every mate the exact search can find is a mate,
so "found by the approximate search / all mates" is a lower bound on the share of the
exact search's mates it finds; both are reported.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import faiss
import numpy as np

from bench.fingers_data import CACHE
from bench.fingers_search import _real
from bench.fingers_synth import distractor_codes, distractor_template
from bench.search_bench import DIM, fit_dlib_model, rss_mb, write_report
from identity.platform.settings import get_settings
from matching import posterior, proposals, rescore, thresholds
from matching.fingerprint import FingerIndex, FingerTemplate
from matching.fingerprint import ivf as ivf_tuning
from matching.fusion import fuse
from matching.vector_index import FaissVectorIndex, IndexTuning

log = logging.getLogger("bench.person_search")
STRIDE = 16  # template id = person * STRIDE + (0 face, 1-10 finger position)
POSITIONS = range(1, 11)
FLIP_BITS = 10
# Positions a partial packet keeps: thumbs first, then index and middle fingers of both hands.
PARTIAL = {2: (1, 6), 4: (1, 2, 6, 7), 6: (1, 2, 3, 6, 7, 8), 8: (1, 2, 3, 4, 6, 7, 8, 9)}


@dataclass
class Gallery:
    persons: int
    faces: FaissVectorIndex
    exact_faces: FaissVectorIndex
    face_vectors: np.ndarray  # (persons, 128)
    fingers: FingerIndex
    source: np.ndarray  # (persons, 10) bank finger of each distractor finger
    mated: dict[int, dict[int, FingerTemplate]]  # person -> position -> enrolled template
    bank: list[FingerTemplate]


@dataclass
class Probe:
    person: int | None  # the mate, None for non-mated
    face: np.ndarray
    fingers: dict[int, FingerTemplate]


def _flip(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flip FLIP_BITS random bits of every code (in place on a copy)."""
    out = codes.copy()
    rows = np.arange(len(out))
    bits = rng.integers(0, 256, (len(out), FLIP_BITS))
    for j in range(FLIP_BITS):
        out[rows, bits[:, j] >> 3] ^= (1 << (bits[:, j] & 7)).astype(np.uint8)
    return out


def _centres(model: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    return (model["mean"] + rng.standard_normal((n, DIM)) @ model["between"].T).astype(np.float32)


def _around(model: dict, centres: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(centres.shape) @ model["within"].T
    return (centres + noise).astype(np.float32)


def build(args: argparse.Namespace, real: dict, model: dict, rng: np.random.Generator,
          report: dict) -> tuple[Gallery, np.ndarray, list[tuple[str, int]]]:
    n = args.persons
    fingers_real = sorted({(db, f) for db, f, _ in real})
    n_real = len(fingers_real)
    mated_ids = np.arange(n - n_real, n)
    pool = [t.minutiae for t in real.values()]
    t = time.perf_counter()
    bank_codes, bank_counts = distractor_codes(args.bank, pool, CACHE / "fingers")
    starts = np.concatenate([[0], np.cumsum(bank_counts)[:-1]])
    bank = [distractor_template(i, pool) for i in range(args.bank)]
    report["bank"] = {"fingers": args.bank, "seconds": time.perf_counter() - t}
    log.info("bank of %d synthetic fingers ready", args.bank)

    centres = _centres(model, n, rng)
    face_vectors = _around(model, centres, rng)
    base = rss_mb()
    t = time.perf_counter()
    faces = FaissVectorIndex(DIM)
    faiss.omp_set_num_threads(args.build_threads)
    faces.add(np.arange(n, dtype=np.int64) * STRIDE, face_vectors)
    report["face_index"] = {"build_s": time.perf_counter() - t, "rss_mb": rss_mb() - base,
                            "exact": faces.is_exact}
    base = rss_mb()
    exact_faces = FaissVectorIndex(DIM, tuning=IndexTuning(10**12, 1, 1, 4.0))
    exact_faces.add(np.arange(n, dtype=np.int64) * STRIDE, face_vectors)
    report["face_exact_rss_mb"] = rss_mb() - base

    source = rng.integers(0, args.bank, (n, 10))
    mated: dict[int, dict[int, FingerTemplate]] = {}
    for i, pid in enumerate(mated_ids):
        mated[int(pid)] = {
            j: real[(*fingers_real[(i + 5 * (j - 1)) % n_real], 1)] for j in POSITIONS}
    per_pos_codes = int(bank_counts[source[:, 0]].sum())
    nlist = args.nlist or ivf_tuning.wanted_lists(n, per_pos_codes)
    index = FingerIndex(nlist=nlist, nprobe=int(thresholds.value("finger.index.nprobe")))
    base = rss_mb()
    t0 = time.perf_counter()
    if nlist > 1:
        sample = np.concatenate([bank_codes[starts[s]:starts[s] + bank_counts[s]]
                                 for s in source[: 4 * nlist, 0]])
        faiss.omp_set_num_threads(args.build_threads)
        index.train_codes(ivf_tuning.training_sample(_flip(sample, rng), nlist))
    train_s = time.perf_counter() - t0
    distractors = np.arange(n - n_real)
    for j in POSITIONS:
        t = time.perf_counter()
        src = source[distractors, j - 1]
        counts = bank_counts[src]
        rows = np.concatenate([np.arange(starts[s], starts[s] + bank_counts[s]) for s in src])
        codes = _flip(bank_codes[rows], rng)
        index.add_codes(distractors * STRIDE + j, np.full(len(src), j), codes, counts,
                        threads=args.build_threads)
        del codes, rows
        log.info("position %d: %d fingers in %.0f s", j, len(src), time.perf_counter() - t)
    tids = [pid * STRIDE + j for pid in mated for j in POSITIONS]
    index.add(np.array(tids), [j for _ in mated for j in POSITIONS],
              [mated[pid][j] for pid in mated for j in POSITIONS])
    report["finger_index"] = {
        "fingers": len(index), "nlist": nlist, "train_s": train_s,
        "build_s": time.perf_counter() - t0, "rss_mb": rss_mb() - base,
        "bytes_per_person": (rss_mb() - base) * 2**20 / n,
        "codes_per_position": per_pos_codes}
    log.info("finger index: %s", report["finger_index"])
    gallery = Gallery(n, faces, exact_faces, face_vectors, index, source, mated, bank)
    return gallery, centres[mated_ids], fingers_real


def probes(args, real, fingers_real, model, centres, rng) -> tuple[list[Probe], list[Probe]]:
    pool = [t.minutiae for t in real.values()]
    n_real = len(fingers_real)
    first = args.persons - n_real
    mated = []
    for imp in range(2, 9):
        for i in range(n_real):
            fingers = {j: real[(*fingers_real[(i + 5 * (j - 1)) % n_real], imp)]
                       for j in POSITIONS}
            mated.append(Probe(first + i, _around(model, centres[i : i + 1], rng)[0], fingers))
    while len(mated) < args.mated:
        i = int(rng.integers(n_real))
        imps = rng.integers(2, 9, 10)
        fingers = {j: real[(*fingers_real[(i + 5 * (j - 1)) % n_real], int(imps[j - 1]))]
                   for j in POSITIONS}
        mated.append(Probe(first + i, _around(model, centres[i : i + 1], rng)[0], fingers))
    non = []
    fresh = _around(model, _centres(model, args.nonmated, rng), rng)
    for q in range(args.nonmated):
        fingers = {j: distractor_template(10**7 + q * 10 + j, pool) for j in POSITIONS}
        non.append(Probe(None, fresh[q], fingers))
    return mated[: args.mated], non


def person_search(g: Gallery, probe: Probe, with_face: bool, plan: proposals.Plan,
                  faces: FaissVectorIndex, pool, limit: int) -> list[tuple[int, float]]:
    """(person, fused LLR) best first: proposals, shortlist, 1:1 re-score, fusion."""
    weights = proposals.propose(faces, g.fingers, probe.face if with_face else None,
                                probe.fingers, plan, pool)

    def owner(tids: list[int]) -> dict[int, int]:
        return {t: t // STRIDE for t in tids}

    enrolled = {}
    for pid in proposals.shortlist(weights, owner, limit):
        mine = g.mated.get(pid)
        enrolled[pid] = rescore.Enrolled(
            faces=[g.face_vectors[pid]] if with_face else [],
            fingers={j: [mine[j] if mine else g.bank[int(g.source[pid, j - 1])]]
                     for j in probe.fingers})
    evidence = rescore.rescore(probe.face if with_face else None, probe.fingers, enrolled,
                                 pool)
    out = [(pid, fuse(ev.face_distance, ev.finger_scores).llr) for pid, ev in evidence.items()]
    return sorted(out, key=lambda c: -c[1])


def run(g: Gallery, mated: Sequence[Probe], non: Sequence[Probe], with_face: bool,
        plan: proposals.Plan, faces: FaissVectorIndex, pool, limit: int) -> dict:
    review, _match = posterior.llr_bounds(posterior.Prior(
        len(g.face_vectors), thresholds.value("posterior.reenrollment_rate")))
    times, found, rank1, top_non, listed = [], [], [], [], []
    for p in mated:
        t = time.perf_counter()
        got = person_search(g, p, with_face, plan, faces, pool, limit)
        times.append(time.perf_counter() - t)
        llr = dict(got).get(int(p.person or -1), -np.inf)
        found.append(llr >= review)
        listed.append(llr > -np.inf)
        rank1.append(bool(got) and got[0][0] == p.person)
    non_times = []
    for p in non:
        t = time.perf_counter()
        got = person_search(g, p, with_face, plan, faces, pool, limit)
        non_times.append(time.perf_counter() - t)
        top_non.append(got[0][1] if got else -np.inf)
    all_t = np.array(times + non_times)
    return {
        "mated_searches": len(mated), "nonmated_searches": len(non),
        "median_ms": float(np.median(all_t) * 1e3), "p95_ms": float(np.percentile(all_t, 95) * 1e3),
        "mated_median_ms": float(np.median(times) * 1e3) if times else None,
        "nonmated_median_ms": float(np.median(non_times) * 1e3) if non_times else None,
        "searches_per_s": float(len(all_t) / all_t.sum()),
        "mates_found": int(np.sum(found)), "mates_rescored": int(np.sum(listed)),
        "rank1_hit_rate": float(np.mean(rank1)),
        "nonmated_at_or_above_review": int(np.sum(np.array(top_non) >= review)),
        "found": found,
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--mated", type=int, default=2000)
    ap.add_argument("--nonmated", type=int, default=200)
    ap.add_argument("--exact", type=int, default=100)
    ap.add_argument("--bank", type=int, default=99_950)
    ap.add_argument("--nlist", type=int, default=0, help="0: finger.index.* rows decide")
    ap.add_argument("--nprobe", type=int, nargs="*", default=[4, 8, 16])
    ap.add_argument("--cylinders", type=int, nargs="*", default=[16, 24])
    ap.add_argument("--rescore", type=int, nargs="*", default=[5],
                    help="also try re-scoring this many persons (table: dedup.max_candidates)")
    ap.add_argument("--partial", type=int, nargs="*", default=[6, 4, 2],
                    choices=sorted(PARTIAL), help="also search with only this many fingers")
    ap.add_argument("--partial-searches", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2, help="search threads (settings default)")
    ap.add_argument("--build-threads", type=int, default=2)
    ap.add_argument("--root", type=Path, default=None,
                    help="FVC B sets (default: the test_data setting + /fingerprints)")
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache/lfw_faces.npz"))
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    rng = np.random.default_rng(20261126)
    args.root = args.root or Path(get_settings().test_data) / "fingerprints"
    if not args.root.is_dir() or not args.cache.is_file():
        raise SystemExit(f"needs the FVC B sets under {args.root} and the LFW encodings in "
                         f"{args.cache} (written by `make eval-faces`)")
    real = _real(args.root)
    model = fit_dlib_model(args.cache)
    report: dict = {"persons": args.persons, "machine_cores": 2, "search_threads": args.threads}
    g, centres, fingers_real = build(args, real, model, rng, report)
    mated, non = probes(args, real, fingers_real, model, centres, rng)
    report["rss_total_mb"] = rss_mb()
    pool = ThreadPoolExecutor(args.threads) if args.threads > 1 else None
    default = proposals.plan_for(10)
    sweep: list[dict] = []

    table_limit = int(thresholds.value("dedup.max_candidates"))

    def record(name: str, plan: proposals.Plan, with_face: bool, faces, m, nm, pl=pool,
               limit: int = table_limit) -> dict:
        r = run(g, m, nm, with_face, plan, faces, pl, limit)
        row = {"name": name, "face": with_face, "probe_cylinders": plan.fingers.probe_cylinders,
               "nprobe": plan.fingers.nprobe, "rescored_persons": limit,
               **{k: v for k, v in r.items() if k != "found"}}
        log.info("%s", row)
        sweep.append(row)
        return r

    for cyl in args.cylinders:
        for nprobe in args.nprobe:
            plan = replace(default, fingers=replace(default.fingers, probe_cylinders=cyl,
                                                    nprobe=nprobe))
            name = f"approx c{cyl} p{nprobe}"
            record(name, plan, False, g.faces, mated, non)
    approx_face = record("approx (table) face+fingers", default, True, g.faces, mated, non)
    approx_fing = record("approx (table) fingers", default, False, g.faces, mated, non)
    for limit in args.rescore:  # --rescore with no value: none
        record(f"approx (table) face+fingers, {limit} re-scored", default, True, g.faces,
               mated, non, limit=limit)
    record("approx (table) face+fingers, 1 thread", default, True, g.faces, mated[:300],
           non[:50], None)
    for n_fingers in args.partial:
        keep = PARTIAL[n_fingers]
        part_m = [Probe(p.person, p.face, {j: p.fingers[j] for j in keep})
                  for p in mated[: args.partial_searches]]
        part_n = [Probe(None, p.face, {j: p.fingers[j] for j in keep})
                  for p in non[: args.partial_searches // 5]]
        plan = proposals.plan_for(n_fingers)
        for with_face in (False, True):
            label = "narrow" if not plan.fingers.neighbours else "wide"
            record(f"approx (table, {label}) {n_fingers} fingers" + (" + face" if with_face
                                                                     else ""),
                   plan, with_face, g.faces, part_m, part_n)
    exact_plan = replace(default, fingers=replace(default.fingers, nprobe=g.fingers.nlist))
    m_ex, n_ex = mated[: args.exact], non[: args.exact // 5]
    if m_ex:
        ex_face = record("exact face+fingers", exact_plan, True, g.exact_faces, m_ex, n_ex)
        ex_fing = record("exact fingers", exact_plan, False, g.exact_faces, m_ex, n_ex)
        for label, ap_r, ex_r in (("face+fingers", approx_face, ex_face),
                                  ("fingers", approx_fing, ex_fing)):
            ex_found = np.array(ex_r["found"])
            ap_found = np.array(ap_r["found"][: len(ex_found)])
            report[f"recall_vs_exact_{label}"] = {
                "exact_searches": len(ex_found), "exact_found": int(ex_found.sum()),
                "approx_found_of_those": int((ex_found & ap_found).sum()),
                "approx_found_all_mated": f"{int(np.sum(ap_r['found']))}/{len(ap_r['found'])}",
            }
    report["sweep"] = sweep
    return write_report(args.out / f"person_search_{args.persons}.json", report)


if __name__ == "__main__":
    main()
