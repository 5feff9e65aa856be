"""One person, one ID, per packet kind: how often a mate is issued a second ID (FNIR) and how
many strangers go to review, with and without demographics, measured and projected nationally.

    .venv/bin/python -m bench.integrity_eval [--data ../shared/data] [--out bench/out]
    (also: hawiya eval integrity, make eval-integrity)

The population (no real person has both an LFW face and an FVC finger, so persons are chimeras;
faces and fingers are independent traits):

- **Faces are real and searched for real**: the gallery holds the first image of every LFW
  identity with two or more images (the enrolled persons) and of half the one-image identities
  (distractors); mated probes are the enrolled identities' other images, non-mated probes the
  other half of the one-image identities. Face LLRs come from the exact distances
  (``matching.fusion.FACE_LLR``).
- **Fingers** are drawn per comparison from the LLRs of every FVC B genuine pair (the mate's
  fingers) and every impostor pair (everybody else's), one draw per finger.
- **Demographics** are drawn from ``bench.demographic_calibrate``'s generated registers: a mate
  re-typed by another clerk (spelling variants, errors), a stranger from another family. "Without
  demographics" is the attacker who changes every field.

Packet kinds: face only, face + 1 finger, 2 fingers, face + 2 fingers, and a full packet (face +
ten fingers). Each probe is decided exactly as dedup decides (``matching.posterior.decide``, the
packet kind's re-enrollment rate, the shortlist of ``dedup.max_candidates``, the bound on the
records beyond a full shortlist) on the eval's gallery; then projected to a national gallery of
46M: the shortlist beyond the mate becomes the ten best of 46M strangers, read from the pooled
non-mated LLR distribution of that kind (its 1 - k/46M quantiles: tens of millions of stranger
comparisons are pooled, enough to read 2e-7 quantiles).

Writes integrity.json and prints the table.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from pathlib import Path

import numpy as np

from bench import demographic_calibrate as demo_gen
from bench.face_lfw import default_lfw, encode_all
from bench.fusion_calibrate import finger_scores
from matching import fusion, posterior, thresholds

log = logging.getLogger("bench.integrity_eval")
NATIONAL = 46_000_000
KINDS = {"face only": (True, 0), "face + 1 finger": (True, 1), "2 fingers": (False, 2),
         "face + 2 fingers": (True, 2), "full (face + 10 fingers)": (True, 10)}


def _faces(lfw: Path) -> tuple[np.ndarray, list[str]]:
    cache = encode_all(lfw, Path("var/bench-cache/lfw_faces.npz"))
    return np.asarray(cache["vectors"], np.float32), [str(k) for k in cache["keys"]]


def _population(vectors: np.ndarray, keys: list[str]) -> dict[str, np.ndarray]:
    by_name: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        by_name.setdefault(k.split("/")[0], []).append(i)
    multi = sorted(n for n, rows in by_name.items() if len(rows) >= 2)
    single = sorted(n for n, rows in by_name.items() if len(rows) == 1)
    gallery_rows = [by_name[n][0] for n in multi] + [by_name[n][0] for n in single[::2]]
    mated_rows, mated_owner = [], []
    for owner, n in enumerate(multi):
        for row in by_name[n][1:]:
            mated_rows.append(row)
            mated_owner.append(owner)
    non_rows = [by_name[n][0] for n in single[1::2]]
    return {"gallery": vectors[gallery_rows], "mated": vectors[mated_rows],
            "mated_owner": np.asarray(mated_owner), "nonmated": vectors[non_rows]}


def _face_llr(probes: np.ndarray, gallery: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.maximum(0.0, (probes ** 2).sum(1)[:, None] + (gallery ** 2).sum(1)[None, :]
                           - 2 * probes @ gallery.T))
    return np.interp(d, fusion.FACE_LLR.knots, fusion.FACE_LLR.llrs)


def _demographic_pools(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    names = demo_gen.Names(rng)
    families = [demo_gen.family(names, rng) for _ in range(max(1000, n // 2))]
    people = [p for f in families for p in f]
    genuine = np.array([demo_gen._llr(p, demo_gen.retyped(p, names, rng))
                        for p in rng.sample(people, min(n, len(people)))])
    strangers = []
    for _ in range(n):
        a, b = rng.sample(families, 2)
        strangers.append(demo_gen._llr(rng.choice(a), rng.choice(b)))
    return genuine, np.array(strangers)


def _decide(mate_llr: float | None, others: np.ndarray, demo_mate: float,
            demo_others: np.ndarray, population: int, rate: float,
            unseen: float | None) -> str:
    k = int(thresholds.value("dedup.max_candidates"))
    totals = others + np.maximum(0.0, demo_others)
    top = np.argsort(-totals)[: k - (mate_llr is not None)]
    ev = [posterior.Evidence(float(others[i]), float(demo_others[i])) for i in top]
    if mate_llr is not None:
        ev.append(posterior.Evidence(mate_llr, demo_mate))
    return posterior.decide(ev, posterior.Prior(population, rate),
                            unseen_llr=unseen).decision


def _bio(rng: np.random.Generator, face: np.ndarray, mate: int | None, with_face: bool,
         n_fingers: int, pools: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """A probe's biometric LLR against every gallery person: its face LLRs (or none) plus one
    drawn finger LLR per finger, genuine for the mate and impostor for everybody else."""
    genuine, impostor = pools
    llr = face.copy() if with_face else np.zeros_like(face)
    if n_fingers:
        llr += rng.choice(impostor, size=(len(llr), n_fingers)).sum(1)
        if mate is not None:
            llr[mate] += (rng.choice(genuine, n_fingers).sum()
                          - rng.choice(impostor, n_fingers).sum())
    return llr


def run(data: Path, out: Path, seed: int = 5, max_probes: int = 2000) -> dict:
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    vectors, keys = _faces(data / "faces" / "lfw")
    pop = _population(vectors, keys)
    gg, gi, sets = finger_scores(data / "fingerprints")
    finger_gen = np.interp(gg, fusion.FINGER_LLR.knots, fusion.FINGER_LLR.llrs)
    finger_imp = np.interp(gi, fusion.FINGER_LLR.knots, fusion.FINGER_LLR.llrs)
    demo_g, demo_i = _demographic_pools(20000, seed)
    mated = pop["mated"][:max_probes]
    owners = pop["mated_owner"][:max_probes]
    non = pop["nonmated"][:max_probes]
    face_m = _face_llr(mated, pop["gallery"])
    face_n = _face_llr(non, pop["gallery"])
    n_g = pop["gallery"].shape[0]
    log.info("gallery %d, mated %d, non-mated %d", n_g, len(mated), len(non))
    k = int(thresholds.value("dedup.max_candidates"))
    result: dict = {"gallery_persons": n_g, "mated_probes": len(mated),
                    "nonmated_probes": len(non), "finger_sets": sets,
                    "finger_pairs": {"genuine": int(gg.size), "impostor": int(gi.size)},
                    "national_gallery": NATIONAL, "kinds": {}}
    for kind, (with_face, n_fingers) in KINDS.items():
        rate = thresholds.value("posterior.reenrollment_rate" if n_fingers >= thresholds.value(
            "exception.min_fingers") else "posterior.reenrollment_rate_weak")

        pools = (finger_gen, finger_imp)
        rows_m = [_bio(rng, face_m[i], int(owners[i]), with_face, n_fingers, pools)
                  for i in range(len(mated))]
        rows_n = [_bio(rng, face_n[i], None, with_face, n_fingers, pools)
                  for i in range(len(non))]
        pooled = np.concatenate([np.delete(r, int(o)) for r, o in zip(rows_m, owners,
                                                                      strict=True)]
                                + rows_n)
        tail = np.quantile(pooled, 1 - np.arange(1, k + 1) / NATIONAL)
        row: dict = {"reenrollment_rate": rate, "pooled_stranger_comparisons": int(pooled.size),
                     "national_top10_stranger_llr": [round(float(x), 2) for x in tail]}
        for label, use_demo in (("with demographics", True), ("without demographics", False)):
            out_m: dict[str, int] = {}
            out_n: dict[str, int] = {}
            nat_m: dict[str, int] = {}
            nat_n: dict[str, int] = {}
            for r, o in zip(rows_m, owners, strict=True):
                others = np.delete(r, int(o))
                dm = float(rng.choice(demo_g)) if use_demo else 0.0
                do = rng.choice(demo_i, others.size) if use_demo else np.zeros(others.size)
                unseen = float(np.sort(others)[-(k - 1)])
                d = _decide(float(r[int(o)]), others, dm, do, n_g, rate, unseen)
                out_m[d] = out_m.get(d, 0) + 1
                nd = _decide(float(r[int(o)]), tail[: k - 1], dm,
                             rng.choice(demo_i, k - 1) if use_demo else np.zeros(k - 1),
                             NATIONAL, rate, float(tail[k - 2]))
                nat_m[nd] = nat_m.get(nd, 0) + 1
            for r in rows_n:
                do = rng.choice(demo_i, r.size) if use_demo else np.zeros(r.size)
                d = _decide(None, r, 0.0, do, n_g, rate, float(np.sort(r)[-k]))
                out_n[d] = out_n.get(d, 0) + 1
            nd = _decide(None, tail, 0.0, rng.choice(demo_i, k) if use_demo else np.zeros(k),
                         NATIONAL, rate, float(tail[-1]))
            nat_n[nd] = len(rows_n)
            row[label] = {
                "fnir": out_m.get("issue", 0) / len(rows_m),
                "mated_matched": out_m.get("match", 0) / len(rows_m),
                "nonmated_review_share": out_n.get("review", 0) / len(rows_n),
                "nonmated_false_match": out_n.get("match", 0) / len(rows_n),
                "national_fnir": nat_m.get("issue", 0) / len(rows_m),
                "national_nonmated_review_share": nat_n.get("review", 0) / len(rows_n),
            }
        result["kinds"][kind] = row
        log.info("%s: %s", kind, json.dumps(row))
    result["seconds"] = round(time.perf_counter() - t0, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "integrity.json").write_text(json.dumps(result, indent=2))
    return result


def table(result: dict) -> str:
    lines = ["| packet | demographics | FNIR | matched | strangers to review | false match | "
             "national FNIR | national strangers to review |", "|---" * 8 + "|"]
    for kind, row in result["kinds"].items():
        for label in ("with demographics", "without demographics"):
            r = row[label]
            lines.append(f"| {kind} | {label.split()[0]} | {r['fnir']:.4f} | "
                         f"{r['mated_matched']:.3f} | {r['nonmated_review_share']:.4f} | "
                         f"{r['nonmated_false_match']:.4f} | {r['national_fnir']:.4f} | "
                         f"{r['national_nonmated_review_share']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=default_lfw().parents[1])
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    ap.add_argument("--probes", type=int, default=2000)
    args = ap.parse_args(argv)
    result = run(args.data, args.out, max_probes=args.probes)
    sys.stdout.write(table(result) + "\n")
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    main()
