"""Fit the LLR tables of matching/fusion.py and estimate FPIR/FNIR of the decision bands.

    .venv/bin/python -m bench.fusion_calibrate [--write] [--out DIR]

- Face: every pair of the LFW folds 1-5 images (cached encodings of ``bench.face_eval``):
  same name = genuine, else impostor; score = L2 distance.
- Fingers: every FVC B set in ``shared/data/fingerprints`` through the fingerprint engine's own
  benchmark loader (``bench.fingers_eval.templates_for``, its template cache): genuine = every
  impression pair of a finger, impostor = every non-mated pair, pooled over the sets; images
  that fail the quality gate are left out (a missing finger is no evidence). One table for all
  finger positions (FVC does not say which finger an image is).

``--write`` replaces the block between the calibrated-table markers in ``matching/fusion.py``.
The JSON (``fusion_calibration.json``) holds the fitted tables, and for several packet shapes the
FNIR of mated comparisons and the FMR per non-mated comparison at both bands, with the FPIR at a
46M gallery (~ N x FMR); these assume modalities and fingers independent given the person (the
fused distributions are convolutions of the per-modality LLR histograms). ``fusion_llr.png``
draws the two LLR curves.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import textwrap
from pathlib import Path

import numpy as np

from bench.face_eval import all_pairs
from matching import fusion, posterior, thresholds

log = logging.getLogger("bench.fusion_calibrate")
FACE_KNOTS = np.round(np.arange(0.0, 1.3001, 0.025), 4)
FINGER_KNOTS = np.round(np.r_[np.arange(0.0, 0.1, 0.005), [0.1, 0.15, 0.2, 0.3, 0.5, 1.0]], 4)
GALLERY = 46e6
STEP = 0.05  # LLR grid of the convolutions


def face_scores(cache: Path) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(cache)
    names = np.array([str(k).split("/")[0] for k in data["keys"]])
    return all_pairs(data["vectors"], names)


def finger_scores(root: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from bench.fingers_eval import templates_for
    from matching.fingerprint import FingerQualityError
    from matching.fingerprint.lssr import compare

    genuine, impostor, sets = [], [], []
    for db in sorted(p for p in root.iterdir() if p.is_dir()):
        tpl = {k: v for k, v in templates_for(db).items() if not isinstance(v, FingerQualityError)}
        for (f1, i1), (f2, i2) in itertools.combinations(sorted(tpl), 2):
            (genuine if f1 == f2 else impostor).append(compare(tpl[(f1, i1)], tpl[(f2, i2)]))
        sets.append(f"{db.name} ({len(tpl)} templates)")
        log.info("%s: %d genuine, %d impostor so far", db.name, len(genuine), len(impostor))
    return np.array(genuine), np.array(impostor), sets


def llr_hist(llrs: np.ndarray, lo: float, n: int) -> np.ndarray:
    h = np.bincount(np.clip(np.round((llrs - lo) / STEP).astype(int), 0, n - 1), minlength=n)
    return h / h.sum()


def fused(parts: list[np.ndarray], lo: float) -> tuple[np.ndarray, float]:
    """Distribution of a sum of independent LLRs on the STEP grid: (probabilities, grid start)."""
    out, start = np.array([1.0]), 0.0
    for p in parts:
        out = np.convolve(out, p)
        start += lo
    return out, start


def rates(gen: tuple[np.ndarray, float], imp: tuple[np.ndarray, float], t: float) -> dict:
    def above(dist: tuple[np.ndarray, float]) -> float:
        p, start = dist
        grid = start + STEP * np.arange(p.size)
        return float(p[grid >= t - 1e-9].sum())

    fmr = above(imp)
    return {"fnir": 1 - above(gen), "fmr": fmr, "fpir_46M": min(1.0, fmr * GALLERY)}


def table_code(name: str, t: fusion.LlrTable) -> str:
    """``t`` as Python source for matching/fusion.py, wrapped at 100 columns."""
    def wrapped(items: list[str], indent: str) -> str:
        return textwrap.fill(", ".join(items), 96, initial_indent=indent,
                             subsequent_indent=indent)

    source = "\n".join(f"        {json.dumps(chunk)}" for chunk in textwrap.wrap(
        t.source, 84, drop_whitespace=False))
    return (f"{name} = LlrTable(\n    knots=(\n{wrapped([f'{k:g}' for k in t.knots], ' ' * 8)}"
            f",\n    ),\n    llrs=(\n{wrapped([f'{v:g}' for v in t.llrs], ' ' * 8)},\n    ),\n"
            f"    direction={json.dumps(t.direction)},\n    source=(\n{source}\n    ),\n)\n")


def write_tables(code: str, module: Path) -> None:
    text = module.read_text()
    start = text.index("# --- calibrated tables")
    start = text.index("\n", start) + 1
    end = text.index("# --- end of calibrated tables")
    module.write_text(text[:start] + code + text[end:])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache/lfw_faces.npz"))
    ap.add_argument("--fingers", type=Path, default=Path("../shared/data/fingerprints"))
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    from matching.fingerprint import EXTRACTOR_NAME, EXTRACTOR_VERSION

    face_version = str(np.load(args.cache)["version"])
    finger_version = f"{EXTRACTOR_NAME}/{EXTRACTOR_VERSION}"
    fg, fi = face_scores(args.cache)
    face = fusion.fit_llr_table(
        fg, fi, FACE_KNOTS, higher_is_genuine=False,
        source=f"{face_version}: LFW folds 1-5, all pairs of {args.cache.name}: {fg.size} "
        f"genuine, {fi.size} impostor (bench/fusion_calibrate.py)")
    gg, gi, sets = finger_scores(args.fingers)
    finger = fusion.fit_llr_table(
        gg, gi, FINGER_KNOTS, higher_is_genuine=True,
        source=f"{finger_version}: FVC B sets {', '.join(sets)}: {gg.size} genuine, {gi.size} "
        "impostor (all non-mated pairs; bench/fusion_calibrate.py)")
    code = table_code("FACE_LLR", face) + table_code("FINGER_LLR", finger)
    if args.write:
        write_tables(code, Path(fusion.__file__))
    lo = -40.0
    n = int(80 / STEP)
    f_g, f_i = (llr_hist(np.interp(s, face.knots, face.llrs), lo, n) for s in (fg, fi))
    g_g, g_i = (llr_hist(np.interp(s, finger.knots, finger.llrs), lo, n) for s in (gg, gi))
    shapes = {"face only": (1, 0), "1 finger": (0, 1), "face + 1 finger": (1, 1),
              "2 fingers": (0, 2), "face + 2 fingers": (1, 2), "3 fingers": (0, 3),
              "face + 3 fingers": (1, 3), "10 fingers": (0, 10), "face + 10 fingers": (1, 10)}
    review, match = posterior.llr_bounds(posterior.Prior(
        GALLERY, thresholds.value("posterior.reenrollment_rate")))
    bands = {"match": match, "review": review}
    estimates = {}
    for label, (nf, nfing) in shapes.items():
        gen = fused([f_g] * nf + [g_g] * nfing, lo)
        imp = fused([f_i] * nf + [g_i] * nfing, lo)
        estimates[label] = {b: rates(gen, imp, t) for b, t in bands.items()}
    result = {
        "face": {"genuine": int(fg.size), "impostor": int(fi.size), "knots": face.knots,
                 "llrs": face.llrs, "max_llr": max(face.llrs), "min_llr": min(face.llrs)},
        "finger": {"sets": sets, "genuine": int(gg.size), "impostor": int(gi.size),
                   "knots": finger.knots, "llrs": finger.llrs, "max_llr": max(finger.llrs),
                   "min_llr": min(finger.llrs)},
        "bands": bands, "gallery": GALLERY,
        "estimates_independent_modalities": estimates,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fusion_calibration.json").write_text(json.dumps(result, indent=2))
    plot(face, finger, args.out / "fusion_llr.png")
    sys.stdout.write(code + "\n" + json.dumps(estimates, indent=2) + "\n")
    return result


def plot(face: fusion.LlrTable, finger: fusion.LlrTable, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.8))
    a.plot(face.knots, face.llrs, marker=".")
    a.set_xlabel("face L2 distance (lower = more similar)")
    a.set_ylabel("LLR (natural log)")
    b.plot(finger.knots, finger.llrs, marker=".")
    b.set_xlabel("finger LSS-R score (higher = more similar)")
    for ax in (a, b):
        ax.axhline(0, color="grey", lw=0.5)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
