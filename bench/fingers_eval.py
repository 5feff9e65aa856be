"""FVC-protocol verification benchmark of the fingerprint engine on one B-set folder.

    python -m bench.fingers_eval --db ../shared/data/fingerprints/FVC2002_DB1_B --out out.json

Genuine: every pair of impressions of a finger (10 x C(8,2) = 280). Impostor (FVC): impression 1
of each finger against impression 1 of every other (45). Impostor (all): every non-mated pair
(2880). ``eer``/``fmr100``/``fmr1000`` use all non-mated pairs (45 impostors cannot resolve an
FMR of 0.1%); the ``fvc`` block repeats them on the 45. Images failing the quality gate count
as failures to enrol: their comparisons score 0. Writes the JSON and ``<out>.png`` (DET curve).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import time
from pathlib import Path

import numpy as np

from bench.fingers_data import CACHE, db_dpi, detections, list_db
from bench.fingers_metrics import error_rates, plot_det
from matching.fingerprint import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    FingerQualityError,
    FingerTemplate,
)
from matching.fingerprint.extract import template_from_detections
from matching.fingerprint.lssr import compare

log = logging.getLogger(__name__)


def templates_for(db: Path, cache: Path | None = CACHE):
    """{(finger, impression): FingerTemplate | FingerQualityError} for every image of ``db``."""
    dets = detections(db, cache)
    out: dict[tuple[int, int], FingerTemplate | FingerQualityError] = {}
    for it in list_db(db):
        try:
            out[(it.finger, it.impression)] = template_from_detections(dets[it.path])
        except FingerQualityError as err:
            out[(it.finger, it.impression)] = err
    return out


def _score(a, b) -> float:
    if isinstance(a, FingerQualityError) or isinstance(b, FingerQualityError):
        return 0.0
    return compare(a, b)


def fvc_scores(db: Path, cache: Path | None = CACHE) -> dict:
    """Genuine, FVC-impostor and all-impostor score arrays of one set, with its templates."""
    tpl = templates_for(db, cache)
    fingers = sorted({f for f, _ in tpl})
    genuine, imp_fvc, imp_all = [], [], []
    t0 = time.perf_counter()
    for f in fingers:
        imps = sorted(i for g, i in tpl if g == f)
        for i, j in itertools.combinations(imps, 2):
            genuine.append(_score(tpl[(f, i)], tpl[(f, j)]))
    keys = sorted(tpl)
    for (f1, i1), (f2, i2) in itertools.combinations(keys, 2):
        if f1 != f2:
            s = _score(tpl[(f1, i1)], tpl[(f2, i2)])
            imp_all.append(s)
            if i1 == 1 and i2 == 1:
                imp_fvc.append(s)
    elapsed = time.perf_counter() - t0
    return {
        "templates": tpl,
        "genuine": np.array(genuine),
        "impostor": np.array(imp_all),
        "impostor_fvc": np.array(imp_fvc),
        "seconds": elapsed,
    }


def main(db: Path, out: Path, cache: Path | None = CACHE) -> dict:
    """Run the FVC protocol on ``db``; write ``out`` (JSON) and ``out.with_suffix('.png')``."""
    db, out = Path(db), Path(out)
    sc = fvc_scores(db, cache)
    tpl, g, ia, iv = sc["templates"], sc["genuine"], sc["impostor"], sc["impostor_fvc"]
    n_cmp, elapsed = len(g) + len(ia), sc["seconds"]
    ok = [t for t in tpl.values() if not isinstance(t, FingerQualityError)]
    result = {
        "db": db.name,
        "dpi": db_dpi(db),
        "extractor": f"{EXTRACTOR_NAME} {EXTRACTOR_VERSION}",
        **error_rates(g, ia),
        "genuine": len(g),
        "impostor": len(ia),
        "fvc": {**error_rates(g, iv), "impostor": len(iv)},
        "failures_to_enrol": len(tpl) - len(ok),
        "fte_reasons": sorted(
            {t.reason for t in tpl.values() if isinstance(t, FingerQualityError)}
        ),
        "minutiae_median": float(np.median([t.n_minutiae for t in ok])) if ok else 0.0,
        "genuine_score_min": float(g.min()),
        "impostor_score_max": float(ia.max()),
        "compare_ms_mean": 1000.0 * elapsed / max(n_cmp, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    plot_det({db.name: (g, ia)}, out.with_suffix(".png"), f"{db.name}: LEADER + MCC16b LSS-R")
    return result


def calibrate(root: Path, out: Path, cache: Path | None = CACHE) -> dict:
    """Pool every B set under ``root``: per-set results plus the pooled score thresholds.

    ``finger.match_score`` in ``matching.thresholds`` is the pooled FMR 0.01% threshold here.
    """
    root, out = Path(root), Path(out)
    sets, gen, imp, curves = {}, [], [], {}
    for db in sorted(p for p in root.iterdir() if p.is_dir() and p.name.endswith("_B")):
        res = main(db, out.parent / f"{db.name}.json", cache)
        sc = fvc_scores(db, cache)
        sets[db.name] = {k: res[k] for k in ("eer", "fmr100", "fmr1000", "failures_to_enrol")}
        gen.append(sc["genuine"])
        imp.append(sc["impostor"])
        curves[db.name] = (sc["genuine"], sc["impostor"])
    g, i = np.concatenate(gen), np.concatenate(imp)
    pooled = error_rates(g, i)
    result = {"sets": sets, "pooled": {**pooled, "genuine": len(g), "impostor": len(i)}}
    out.write_text(json.dumps(result, indent=2) + "\n")
    plot_det(curves, out.with_suffix(".png"), "FVC B sets: LEADER + MCC16b LSS-R")
    return result


def cli(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--db", type=Path, help="folder of NNN_I.tif images")
    ap.add_argument("--all", type=Path, help="folder of B sets: run each, pool, calibrate")
    ap.add_argument("--out", type=Path, required=True, help="JSON result file (PNG beside it)")
    ap.add_argument("--no-cache", action="store_true", help="do not read/write the LEADER cache")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cache = None if args.no_cache else CACHE
    if args.all:
        print(json.dumps(calibrate(args.all, args.out, cache), indent=1))
        return
    if not args.db:
        ap.error("--db or --all is required")
    res = main(args.db, args.out, cache)
    keys = ("eer", "fmr100", "fmr1000", "failures_to_enrol")
    print(json.dumps({k: res[k] for k in keys}))


if __name__ == "__main__":
    cli()
