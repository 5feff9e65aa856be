"""Error rates and DET curves for the fingerprint benches (scores: higher = more similar)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def error_rates(genuine: np.ndarray, impostor: np.ndarray) -> dict[str, float]:
    """EER, FMR100 and FMR1000 (FNMR at FMR <= 1% / 0.1%), as fractions.

    A comparison is a match when ``score >= threshold``. EER is read where FNMR and FMR cross
    (mean of the two at the closest threshold), as in the FVC reports.
    """
    g, i = np.sort(np.asarray(genuine, float)), np.sort(np.asarray(impostor, float))
    thr = np.unique(np.concatenate([g, i, [np.inf]]))
    fnmr = np.searchsorted(g, thr, side="left") / max(len(g), 1)
    fmr = 1.0 - np.searchsorted(i, thr, side="left") / max(len(i), 1)
    k = int(np.argmin(np.abs(fnmr - fmr)))
    out = {"eer": float((fnmr[k] + fmr[k]) / 2.0), "eer_threshold": float(thr[k])}
    for name, target in (("fmr100", 0.01), ("fmr1000", 0.001), ("fmr10000", 0.0001)):
        ok = fmr <= target
        j = int(np.argmax(ok))  # lowest threshold meeting the target
        out[name] = float(fnmr[j])
        out[name + "_threshold"] = float(thr[j])
    out["zero_fmr"] = float(fnmr[int(np.argmax(fmr <= 0.0))])
    return out


def det_points(genuine: np.ndarray, impostor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    g, i = np.sort(np.asarray(genuine, float)), np.sort(np.asarray(impostor, float))
    thr = np.unique(np.concatenate([g, i]))
    fnmr = np.searchsorted(g, thr, side="left") / max(len(g), 1)
    fmr = 1.0 - np.searchsorted(i, thr, side="left") / max(len(i), 1)
    return fmr, fnmr


def plot_det(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, title: str) -> None:
    """Draw DET curves (FMR vs FNMR, log axes) and the score histograms into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, hx) = plt.subplots(1, 2, figsize=(11, 4.5))
    bins = np.logspace(-3, 0, 61)
    for name, (gen, imp) in curves.items():
        fmr, fnmr = det_points(gen, imp)
        floor_i, floor_g = 0.5 / max(len(imp), 1), 0.5 / max(len(gen), 1)
        ax.step(np.maximum(fmr, floor_i), np.maximum(fnmr, floor_g), where="post", label=name)
        hx.hist(np.clip(gen, 1e-3, 1), bins=bins, histtype="step", label=f"{name} genuine")
        hx.hist(
            np.clip(imp, 1e-3, 1), bins=bins, histtype="step", ls="--", label=f"{name} impostor"
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("FMR")
    ax.set_ylabel("FNMR")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    hx.set_xscale("log")
    hx.set_yscale("log")
    hx.set_xlabel("LSS-R score (higher = more similar; solid genuine, dashed impostor)")
    hx.legend(fontsize=7)
    hx.set_title("score distributions")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
