"""What the active liveness challenge stops and what it does not, on sequences built from LFW.

    .venv/bin/python -m bench.liveness_eval [--lfw DIR] [--photos 300] [--seed 7]

Each sequence goes through ``identity.biometrics.liveness.measure`` (JPEG frames → face,
landmarks, templates → ``matching.liveness.assess``), exactly as a webcam enrollment or a verify
would. Reported, for the full challenge (both turns and a blink) and for turns alone:

- bona fide: one person's photos ordered as a head turn (with a closed-eyes photo as the blink
  where the person has one), accepted rate;
- attacks from single photos (a seeded sample): still, moved (shift/scale/roll), tilted left and
  right (perspective), accepted rate (lower is better);
- a replayed recording of the accepted bona fide sequences (not stopped: the challenge cannot
  tell a screen playing the person from the person).

Writes ``bench/out/liveness_eval.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from bench import liveness_sequences as seqs
from identity.biometrics import liveness as service
from identity.platform.errors import DomainError
from matching import thresholds

MAX_PIXELS = 4096 * 4096


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(frames: list[bytes]) -> dict[str, bool]:
    """full: the challenge met; turns: both turns seen; blink: a blink seen (each step alone,
    as if it were the whole challenge); all with the same face throughout."""
    try:
        r = service.measure(frames, max_pixels=MAX_PIXELS)
    except DomainError:  # another face in a frame
        return {"full": False, "turns": False, "blink": False}
    enough = r.faces >= int(thresholds.value("liveness.min_frames"))
    a = r.assessment
    return {"full": enough and a.live,
            "turns": enough and a.turned_one_way and a.turned_other_way,
            "blink": enough and a.blinked}


def rate(results: list[dict[str, bool]], key: str) -> dict[str, float | int]:
    n = len(results)
    k = sum(r[key] for r in results)
    return {"accepted": k, "of": n, "rate": round(k / n, 4) if n else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lfw", type=Path, default=Path("../shared/data/faces/lfw/images"))
    ap.add_argument("--photos", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    t0 = time.time()
    people = seqs.poses(args.lfw, args.out / "liveness_poses.json")
    closed = thresholds.value("liveness.eye_closed")
    report: dict[str, object] = {"thresholds": {n: thresholds.value(n) for n in (
        "liveness.turn", "liveness.eye_closed", "liveness.eye_open", "liveness.same_face",
        "liveness.min_frames")}}

    full_seqs = {name: p for name, ph in people.items() if (p := seqs.head_turn(ph, closed))}
    turn_seqs = {name: p for name, ph in people.items() if (p := seqs.turn_only(ph))}
    bona_full = {n: run([x.read_bytes() for x in p]) for n, p in full_seqs.items()}
    bona_turn = {n: run([x.read_bytes() for x in p]) for n, p in turn_seqs.items()}
    report["bona_fide_with_blink"] = rate(list(bona_full.values()), "full")
    report["bona_fide_with_blink_accepted"] = sorted(n for n, r in bona_full.items() if r["full"])
    report["bona_fide_turns"] = rate(list(bona_turn.values()), "turns")
    log(f"bona fide: {report['bona_fide_with_blink']} {report['bona_fide_turns']}")

    rng = np.random.default_rng(args.seed)
    photos = sorted(p.path for ph in people.values() for p in ph)
    sample = random.Random(args.seed).sample(photos, min(args.photos, len(photos)))
    for attack in ("still", "moved", "tilted"):
        make = getattr(seqs, attack)
        results = [run(make(seqs.load(p), rng)) for p in sample]
        report[f"attack_{attack}"] = {"full": rate(results, "full"),
                                      "turns_only": rate(results, "turns"),
                                      "blink_only": rate(results, "blink")}
        log(f"{attack}: {report[f'attack_{attack}']}")
    replays = [run(seqs.replayed([x.read_bytes() for x in full_seqs[n]], rng))
               for n, r in bona_full.items() if r["full"]]
    report["attack_replayed_video"] = {"full": rate(replays, "full")}
    report["seconds"] = round(time.time() - t0, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "liveness_eval.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
