"""CLI for the gallery and the evaluations: ``rebuild-index``, ``eval ...``, ``bench ...``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

eval_app = typer.Typer(help="Biometric evaluations (results as JSON plus pictures).",
                       no_args_is_help=True)
bench_app = typer.Typer(help="Speed and memory benchmarks.", no_args_is_help=True)


def rebuild_index() -> None:
    """Rebuild the gallery from the database: the FAISS snapshots (replaced atomically), or the
    Milvus collections (dropped and filled again) with ``HAWIYA_GALLERY_ENGINE=milvus``."""
    from rich.progress import Progress
    from sqlalchemy import func, select

    from identity.biometrics.gallery import FACE_FILE, FINGER_FILE, make_gallery
    from identity.platform.db import session_scope
    from identity.platform.settings import get_settings
    from models.enrollment import Template

    settings = get_settings()
    gallery = make_gallery(settings)
    if settings.gallery_engine == "milvus":
        gallery.drop()  # type: ignore[attr-defined]
    for name in (FACE_FILE, FINGER_FILE):
        (settings.index_dir / name).unlink(missing_ok=True)
    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(Template)
                               .where(Template.person_id.is_not(None))) or 0
        with Progress(transient=False) as progress:
            task = progress.add_task("templates", total=total)
            gallery.load(session, progress=lambda n: progress.advance(task, n))
    faces, fingers = gallery.counts()
    typer.echo(json.dumps({"faces": faces, "fingers": fingers}))


def reextract(limit: int | None = typer.Option(None, help="at most this many samples")) -> None:
    """Templates of the current extractor versions from the stored (encrypted) samples; run
    with the server stopped (it takes the deciding lease), then start the server: its indexes
    are rebuilt from the database. Resumable."""
    from rich.progress import Progress

    from identity.biometrics import extraction_pool
    from identity.biometrics.reextract import reextract as run
    from identity.platform.db import session_scope
    from identity.platform.settings import get_settings

    settings = get_settings()
    pool = extraction_pool.start(settings)
    try:
        with session_scope() as session, Progress(transient=False) as progress:
            task = progress.add_task("samples", total=limit)
            counts = run(session, max_pixels=settings.max_image_pixels,
                         lease_seconds=settings.decider_lease_seconds, limit=limit,
                         progress=lambda n: progress.advance(task, n))
    finally:
        extraction_pool.stop(pool)
    typer.echo(json.dumps(counts))


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
