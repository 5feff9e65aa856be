"""What a ten-print card with plain impressions costs to extract, by stage.

    .venv/bin/python -m bench.card_cost [--out bench/out/card_cost.json]

Cards are built with the generator (``enrollment.batch.generator.ten_print_card``: rolls of
one FVC "person", plain impressions 11-15 from another impression) from three FVC sets and
three impressions each (9 cards), then read and extracted by the import's own worker
(``worker.prepare``) twice in one process: the first round pays LEADER's compilation of each
new input size, the second is the steady state. Reports CPU-seconds a card by stage (read,
decode, extract = rolls, plain = the plain impressions' segmentation, extraction and order
check) and the distinct padded sizes LEADER saw (each a compilation, ~0.9 CPU-s, cached up to
``LEADER_COMPILED_SIZES``). ``--multiples 32 64`` runs it once per plain-segment padding
(``SLAP_SIZE_MULTIPLE``; 32 is LEADER's own, i.e. no extra padding), each with a fresh LEADER
runner, side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

SETS = ("FVC2002_DB1_B", "FVC2002_DB3_B", "FVC2004_DB2_B")


def main() -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/out/card_cost.json"))
    ap.add_argument("--multiples", type=int, nargs="+", default=[64])
    args = ap.parse_args()
    import matching.fingerprint.extract as ex
    from enrollment.batch.generator import _demographics, ten_print_card
    from enrollment.batch.sources import list_tasks
    from enrollment.batch.worker import prepare
    from identity.biometrics.extraction_pool import limit_threads
    from identity.platform.settings import get_settings
    from matching.fingerprint import loader
    from matching.fingerprint import params as P

    limit_threads()
    data = Path(get_settings().test_data)
    rng = random.Random(3)
    sizes: Counter[tuple[int, int]] = Counter()
    real = ex._detect_batch

    def counting(runner: Any, images: list[Any]) -> Any:
        sizes[ex._padded(images)] += 1
        return real(runner, images)

    ex._detect_batch = counting  # type: ignore[assignment]
    report: dict[str, Any] = {"cards": 0, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (fvc, imp) in enumerate((s, i) for s in SETS for i in (1, 3, 5)):
            (Path(tmp) / f"c{n:03d}.nist").write_bytes(ten_print_card(
                data, number=f"CS-{n}", register="civil_status",
                demographics=_demographics(rng), fvc_set=fvc, impression=imp))
        tasks = list_tasks(Path(tmp), "civil_status", max_pixels=40_000_000)
        report["cards"] = len(tasks)
        for multiple in args.multiples:
            P.SLAP_SIZE_MULTIPLE = multiple
            loader.configure(None)  # a fresh runner: nothing compiled yet
            sizes.clear()
            run = {"slap_size_multiple": multiple, "rounds": _rounds(tasks, prepare)}
            run["padded_sizes"] = len(sizes)
            report["runs"].append(run)
            print(json.dumps(run), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return report


def _rounds(tasks: list[Any], prepare: Any) -> list[dict[str, Any]]:
    out = []
    for rnd in (1, 2):
        cpu, stages = time.process_time(), Counter[str]()
        for task in tasks:
            prep = prepare(task)
            if prep.reason is not None:
                raise SystemExit(f"{task.key}: {prep.reason} {prep.detail}")
            stages.update(prep.stages)
        out.append({"round": rnd,
                    "cpu_s_per_card": round((time.process_time() - cpu) / len(tasks), 3),
                    "by_stage": {k: round(v / len(tasks), 3) for k, v in stages.items()}})
    return out


if __name__ == "__main__":
    main()
