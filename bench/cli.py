"""``hawiya eval ...`` and ``hawiya bench ...``: the evaluations and benchmarks, which live in
``bench`` and reach the ``hawiya`` command as entry points (group ``hawiya.commands`` in
pyproject.toml), so the service never imports them."""

from __future__ import annotations

import json
from pathlib import Path

import typer

eval_app = typer.Typer(help="Biometric evaluations (results as JSON plus pictures).",
                       no_args_is_help=True)
bench_app = typer.Typer(help="Speed and memory benchmarks.", no_args_is_help=True)


@eval_app.command("fingers")
def eval_fingers(db: Path = typer.Option(..., help="folder of NNN_I.tif images"),
                 out: Path = typer.Option(..., help="JSON results file")) -> None:
    """FVC protocol on one folder: EER, FMR100, FMR1000 (+ a DET-curve PNG beside --out)."""
    from bench.fingers_eval import main

    typer.echo(json.dumps(main(db, out), indent=2))


@eval_app.command("identification")
def eval_identification(
    data: Path = typer.Option(Path("../shared/data"), help="the shared test data folder"),
    fingers_per_person: int = typer.Option(5, help="1 or 5 fingers per chimeric person"),
    distractor_fingers: int = typer.Option(2000, help="synthetic finger-only distractors"),
    out: Path = typer.Option(Path("bench/out"), help="folder for JSON and PNGs"),
) -> None:
    """1:N on a chimeric population (LFW faces + FVC fingers): face, fingers, fused."""
    from bench.identification_eval import main

    main(["--data", str(data), "--fingers-per-person", str(fingers_per_person),
          "--distractor-fingers", str(distractor_fingers), "--out", str(out)])


@bench_app.command("search")
def bench_search(persons: int = typer.Option(1_000_000), probes: int = typer.Option(1000),
                 fingers: bool = typer.Option(False, help="person search: face + 10 fingers"),
                 out: Path = typer.Option(Path("bench/out"))) -> None:
    """1:N on a synthetic gallery: approximate indexes vs exact search, same run.

    Faces only by default; ``--fingers`` searches persons of a face and ten fingers
    (``bench/person_search_bench.py``; ``--probes`` is then the number of mated searches).
    """
    if fingers:
        from bench.person_search_bench import main as person_main

        person_main(["--persons", str(persons), "--mated", str(probes), "--out", str(out)])
        return
    from bench.search_bench import main

    main(["--persons", str(persons), "--probes", str(probes), "--out", str(out)])


@eval_app.command("integrity")
def eval_integrity(
    data: Path = typer.Option(Path("../shared/data"), help="the shared test data folder"),
    probes: int = typer.Option(2000, help="probe packets (mated and non-mated)"),
    out: Path = typer.Option(Path("bench/out"), help="folder for the JSON results"),
) -> None:
    """One person, one ID: FNIR and review load per packet kind (face only, face + 1 finger,
    2 fingers, face + 2, full), with and without demographics, and the national projection."""
    from bench.integrity_eval import main

    main(["--data", str(data), "--probes", str(probes), "--out", str(out)])  # prints a table
