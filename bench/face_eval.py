"""Face verification on LFW folds 1-5 with matching.face (dlib ResNet, L2 distance).

    .venv/bin/python -m bench.face_eval [--lfw DIR] [--cache FILE] [--out DIR]

Writes ``face_eval.json``, ``face_det.png`` (DET curve) and ``face_hist.png`` (distance
histograms) to ``--out`` (default ``bench/out``). Encodings are cached (see ``bench.face_lfw``).

- Pair accuracy: the 3,000 View-2 pairs of folds 1-5; for each fold the threshold that is best on
  the other four folds is applied to it (leave-one-fold-out), mean and std over folds.
- All pairs: every pair of the 3,811 images (same name = genuine, else impostor): EER, TAR at FAR
  1e-3 and 1e-4 (threshold = the FAR quantile of impostor distances).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from bench.face_lfw import default_lfw, encode_all, read_pairs

log = logging.getLogger("bench.face_eval")


def eer(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    """(EER, threshold) for distances (lower = genuine)."""
    cand = np.unique(np.concatenate([genuine, impostor]))
    g, i = np.sort(genuine), np.sort(impostor)
    frr = 1 - np.searchsorted(g, cand, side="right") / g.size  # genuine with d > t
    far = np.searchsorted(i, cand, side="right") / i.size  # impostor with d <= t
    k = int(np.argmin(np.abs(frr - far)))
    return float((frr[k] + far[k]) / 2), float(cand[k])


def tar_at_far(genuine: np.ndarray, impostor: np.ndarray, far: float) -> tuple[float, float]:
    """(TAR, threshold): accept d < t where t is the ``far`` quantile of impostor distances."""
    i = np.sort(impostor)
    t = float(i[int(np.floor(far * i.size))])
    return float(np.mean(genuine < t)), t


def pair_accuracy(dist: np.ndarray, same: np.ndarray, folds: np.ndarray) -> dict[str, float]:
    accs, thrs = [], []
    for f in np.unique(folds):
        train = folds != f
        cand = np.sort(dist[train])
        acc = [np.mean((dist[train] < t) == same[train]) for t in cand]
        t = float(cand[int(np.argmax(acc))])
        thrs.append(t)
        accs.append(float(np.mean((dist[folds == f] < t) == same[folds == f])))
    return {"mean": float(np.mean(accs)), "std": float(np.std(accs)),
            "thresholds": thrs, "accuracy_at_0.6": float(np.mean((dist < 0.6) == same))}


def all_pairs(vectors: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distances of every image pair i < j, split into (genuine, impostor)."""
    sq = np.sum(vectors.astype(np.float64) ** 2, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2 * vectors.astype(np.float64) @ vectors.T.astype(np.float64)
    d = np.sqrt(np.maximum(d2, 0))
    iu = np.triu_indices(len(vectors), k=1)
    same = names[iu[0]] == names[iu[1]]
    return d[iu][same], d[iu][~same]


def plots(genuine: np.ndarray, impostor: np.ndarray, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.linspace(0, 1.4, 1401)
    fmr = np.searchsorted(np.sort(impostor), t, side="left") / impostor.size
    fnmr = 1 - np.searchsorted(np.sort(genuine), t, side="left") / genuine.size
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ok = (fmr > 0) & (fnmr > 0)
    ax.loglog(fmr[ok], fnmr[ok])
    ax.set_xlabel("FMR (impostor pairs accepted)")
    ax.set_ylabel("FNMR (genuine pairs rejected)")
    ax.set_title("dlib ResNet on LFW folds 1-5, all pairs")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "face_det.png", dpi=120)
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 1.4, 141)
    ax.hist(impostor, bins=bins, density=True, alpha=0.6, label=f"impostor ({impostor.size:,})")
    ax.hist(genuine, bins=bins, density=True, alpha=0.6, label=f"genuine ({genuine.size:,})")
    ax.set_xlabel("L2 distance (lower = more similar)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "face_hist.png", dpi=120)
    plt.close("all")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lfw", type=Path, default=default_lfw())
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache/lfw_faces.npz"))
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    data = encode_all(args.lfw, args.cache)
    keys = [str(k) for k in data["keys"]]
    index = {k: i for i, k in enumerate(keys)}
    vectors = data["vectors"]
    names = np.array([k.split("/")[0] for k in keys])
    how = [str(h) for h in data["how"]]
    boxes = data["boxes"]
    sizes = np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 1] - boxes[:, 3])

    pairs = read_pairs(args.lfw)
    pd = np.array([np.linalg.norm(vectors[index[p.a]] - vectors[index[p.b]]) for p in pairs])
    same = np.array([p.genuine for p in pairs])
    folds = np.array([p.fold for p in pairs])
    genuine, impostor = all_pairs(vectors, names)
    e, t_eer = eer(genuine, impostor)
    tar3, t3 = tar_at_far(genuine, impostor, 1e-3)
    tar4, t4 = tar_at_far(genuine, impostor, 1e-4)
    result = {
        "data": f"LFW View 2 folds 1-5 ({args.lfw})",
        "extractor": str(data["version"]),
        "images": len(keys),
        "detection": {h: how.count(h) for h in ("ok", "central", "fallback")},
        "face_box_px": {"min": int(sizes.min()), "p1": float(np.percentile(sizes, 1)),
                        "median": float(np.median(sizes)), "max": int(sizes.max())},
        "pair_accuracy": pair_accuracy(pd, same, folds),
        "all_pairs": {"genuine": int(genuine.size), "impostor": int(impostor.size),
                      "eer": e, "eer_threshold": t_eer,
                      "tar_at_far_1e-3": tar3, "threshold_far_1e-3": t3,
                      "tar_at_far_1e-4": tar4, "threshold_far_1e-4": t4,
                      "genuine_mean": float(genuine.mean()),
                      "impostor_mean": float(impostor.mean())},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "face_eval.json").write_text(json.dumps(result, indent=2))
    plots(genuine, impostor, args.out)
    log.info("wrote %s", args.out / "face_eval.json")
    json.dump(result, sys.stdout, indent=2)
    return result


if __name__ == "__main__":
    main()
