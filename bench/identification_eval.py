"""1:N identification on a chimeric population: face alone, fingers alone, and fused.

    .venv/bin/python -m bench.identification_eval [--data ../shared/data] [--out bench/out]
    (also: hawiya eval identification)

How the population is built (no real person has both an LFW face and an FVC finger):
- The 50 FVC fingers (5 B sets x 10) are dealt out to 50 / F chimeric persons with F fingers
  each (``--fingers-per-person``, 1 or 5): person k's j-th finger is FVC finger k + j * 50/F
  (set = id // 10, finger 101 + id % 10), at position 1 + (k + j) % 10; its face is the k-th
  LFW identity with >= 3 images (sorted by name). Fingers and faces are independent traits, so
  the chimeras are a fair stand-in. 80% of the persons are enrolled, the rest held out.
- The gallery: each enrolled person's first LFW image and FVC impression 1; plus distractors:
  half of the LFW identities with one image (face-only persons) and synthetic fingers
  (``bench.fingers_synth``: mirrored, re-posed, perturbed real minutiae, so their cylinders
  look real) spread over the ten positions (finger-only persons).
- Mated searches: every enrolled person's other LFW images (2..n) crossed with FVC impressions
  2..8. Non-mated searches: faces of the other half of the one-image LFW identities and of the
  held-out persons, crossed with every impression of the held-out fingers (tens of thousands
  of fused non-mated searches from a few hundred face and 80 finger probes).
- Scores are per-modality LLRs of ``matching.fusion`` summed per gallery person (the fused
  decision score); face-only and finger-only use their own LLR. A search's non-mated score is
  its best gallery score; a mated search is a hit at threshold t when its mate scores >= t.

Writes identification_fF.json, identification_fF_det.png and identification_fF_hist.png.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from bench.face_lfw import encode_all
from bench.fingers_eval import templates_for
from bench.fingers_synth import distractor_template
from matching import fusion, posterior, thresholds
from matching.fingerprint import FingerQualityError, FingerTemplate
from matching.fingerprint.lssr import compare

log = logging.getLogger("bench.identification_eval")
SETS = ["FVC2002_DB1_B", "FVC2002_DB2_B", "FVC2002_DB3_B", "FVC2002_DB4_B", "FVC2004_DB2_B"]
FPIRS = (1e-2, 1e-3, 1e-4)
N_FINGERS = 50


def _faces(data: Path) -> tuple[dict[str, list[np.ndarray]], list[str]]:
    cache = encode_all(data / "faces" / "lfw", Path("var/bench-cache/lfw_faces.npz"))
    by_name: dict[str, list[np.ndarray]] = {}
    for key, vec in zip(cache["keys"], cache["vectors"], strict=True):
        if np.all(np.isfinite(vec)) and np.any(vec):
            by_name.setdefault(str(key).split("/")[0], []).append(vec)
    names = sorted(by_name)
    return by_name, names


def _fingers(data: Path) -> list[dict[int, object]]:
    """fingers[k][impression] = template (or error) for chimeric finger k."""
    out = []
    for db in SETS:
        tpl = templates_for(data / "fingerprints" / db)
        for f in range(101, 111):
            out.append({imp: tpl[(f, imp)] for imp in range(1, 9)})
    return out


def _finger_llr(probe: object, gallery: object) -> float:
    if isinstance(probe, FingerQualityError) or isinstance(gallery, FingerQualityError):
        return 0.0  # a finger that failed quality is no evidence
    return fusion.FINGER_LLR(compare(probe, gallery))  # type: ignore[arg-type]


def run(data: Path, distractor_fingers: int, out: Path, per_person: int = 1) -> dict:
    t0 = time.perf_counter()
    n_persons = N_FINGERS // per_person
    n_enrolled = int(n_persons * 0.8)
    faces, names = _faces(data)
    multi = [n for n in names if len(faces[n]) >= 3][:n_persons]
    singles = [n for n in names if len(faces[n]) == 1]
    fingers = _fingers(data)
    pool = [t.minutiae for k in range(N_FINGERS) for t in fingers[k].values()
            if isinstance(t, FingerTemplate)]
    # hands[k] = [(position, finger id), ...]
    hands = [[(1 + (k + j) % 10, k + j * n_persons) for j in range(per_person)]
             for k in range(n_persons)]

    # Gallery: enrolled chimeras, face-only distractors, finger-only distractors.
    g_face = [faces[multi[k]][0] for k in range(n_enrolled)] + [faces[n][0] for n in singles[::2]]
    g_finger: list[tuple[int, object]] = [(p, fingers[f][1]) for k in range(n_enrolled)
                                          for p, f in hands[k]]
    g_finger += [(1 + i % 10, distractor_template(i, pool)) for i in range(distractor_fingers)]
    n_g = n_enrolled + len(singles[::2]) + distractor_fingers
    face_owner = np.arange(len(g_face))  # face row i belongs to gallery person i
    finger_owner = np.r_[np.repeat(np.arange(n_enrolled), per_person),
                         n_enrolled + len(singles[::2]) + np.arange(distractor_fingers)]

    def face_vec(vec: np.ndarray) -> np.ndarray:
        llr = np.zeros(n_g)
        d = np.linalg.norm(np.asarray(g_face) - vec, axis=1)
        llr[face_owner] = np.interp(d, fusion.FACE_LLR.knots, fusion.FACE_LLR.llrs)
        return llr

    def finger_vec(k: int, imp: int) -> np.ndarray:
        """Summed finger LLRs of person k's impression ``imp`` against every gallery person."""
        llr = np.zeros(n_g)
        for position, fid in hands[k]:
            for (p, tpl), owner in zip(g_finger, finger_owner, strict=True):
                if p == position:
                    llr[owner] += _finger_llr(fingers[fid][imp], tpl)
        return llr

    log.info("gallery: %d persons (%d faces, %d fingers)", n_g, len(g_face), len(g_finger))
    mated: dict[str, list[tuple[float, bool]]] = {"face": [], "finger": [], "fused": []}
    for k in range(n_enrolled):
        fvs = [face_vec(v) for v in faces[multi[k]][1:]]
        gvs = [finger_vec(k, imp) for imp in range(2, 9)]
        for fv in fvs:
            mated["face"].append((fv[k], int(np.argmax(fv)) == k))
        for gv in gvs:
            mated["finger"].append((gv[k], int(np.argmax(gv)) == k))
        for fv in fvs:
            for gv in gvs:
                s = fv + gv
                mated["fused"].append((s[k], int(np.argmax(s)) == k))
    probe_faces = [faces[n][0] for n in singles[1::2]]
    probe_faces += [v for k in range(n_enrolled, n_persons) for v in faces[multi[k]]]
    face_mat = np.stack([face_vec(v) for v in probe_faces])
    finger_mat = np.stack([finger_vec(k, imp)
                           for k in range(n_enrolled, n_persons) for imp in range(1, 9)])
    nonmated = {"face": face_mat.max(axis=1), "finger": finger_mat.max(axis=1)}
    fused_max = [np.max(face_mat + row[None, :], axis=1) for row in finger_mat]
    nonmated["fused"] = np.concatenate(fused_max)

    result: dict = {"population": {
        "gallery_persons": n_g, "enrolled_chimeras": n_enrolled,
        "fingers_per_person": per_person,
        "face_only_distractors": len(singles[::2]), "finger_only_distractors": distractor_fingers,
        "mated_searches": {m: len(v) for m, v in mated.items()},
        "nonmated_searches": {m: len(v) for m, v in nonmated.items()}}}
    for mode in ("face", "finger", "fused"):
        scores = np.array([s for s, _ in mated[mode]])
        rank1 = np.array([h for _, h in mated[mode]])
        nm = np.sort(nonmated[mode])
        row: dict = {"rank1_hit_rate": float(rank1.mean())}
        for fpir in FPIRS:
            if len(nm) * fpir < 1:
                row[f"fnir_at_fpir_{fpir:g}"] = None  # not resolvable with this many searches
                continue
            t = float(np.quantile(nm, 1 - fpir))
            row[f"fnir_at_fpir_{fpir:g}"] = float(np.mean(~((scores > t) & rank1)))
            row[f"threshold_at_fpir_{fpir:g}"] = t
        review_t, match_t = posterior.llr_bounds(posterior.Prior(
            n_g, thresholds.value("posterior.reenrollment_rate")))
        row["fnir_at_match_llr"] = float(np.mean(~((scores >= match_t) & rank1)))
        row["fpir_at_match_llr"] = float(np.mean(nm >= match_t))
        row["fnir_at_review_llr"] = float(np.mean(~((scores >= review_t) & rank1)))
        row["fpir_at_review_llr"] = float(np.mean(nm >= review_t))
        result[mode] = row
    result["seconds"] = round(time.perf_counter() - t0, 1)
    _plots(mated, nonmated, out, f"identification_f{per_person}")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"identification_f{per_person}.json").write_text(json.dumps(result, indent=2))
    return result


def _plots(mated: dict, nonmated: dict, out: Path, stem: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 5))
    for mode in ("face", "finger", "fused"):
        scores = np.array([s for s, h in mated[mode]])
        hits = np.array([h for _, h in mated[mode]])
        nm = np.asarray(nonmated[mode])
        ts = np.unique(np.r_[scores, nm])
        fpir = np.array([np.mean(nm >= t) for t in ts])
        fnir = np.array([np.mean(~((scores >= t) & hits)) for t in ts])
        keep = fpir > 0
        ax.loglog(fpir[keep], np.maximum(fnir[keep], 1e-4), label=mode)
    ax.set_xlabel("FPIR")
    ax.set_ylabel("FNIR")
    ax.set_title("Chimeric identification (DET)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / f"{stem}_det.png", dpi=110)
    plt.close(fig)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, mode in zip(axes, ("face", "finger", "fused"), strict=True):
        ax.hist([s for s, _ in mated[mode]], bins=40, alpha=0.6, density=True, label="mate")
        ax.hist(nonmated[mode], bins=40, alpha=0.6, density=True, label="best non-mate")
        ax.set_title(f"{mode} LLR")
        ax.legend()
    fig.tight_layout()
    fig.savefig(out / f"{stem}_hist.png", dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--distractor-fingers", type=int, default=2000)
    ap.add_argument("--fingers-per-person", type=int, choices=(1, 5), default=5)
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    result = run(args.data, args.distractor_fingers, args.out, args.fingers_per_person)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
