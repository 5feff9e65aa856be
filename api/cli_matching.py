"""CLI for the gallery: ``rebuild-index``, ``reextract``. The evaluations and benchmarks
(``hawiya eval ...``, ``hawiya bench ...``) are ``bench``'s, registered as entry points
(``bench.cli``)."""

from __future__ import annotations

import json

import typer


def rebuild_index() -> None:
    """Rebuild the gallery from the database: the FAISS snapshots (replaced atomically), or the
    Milvus collections (dropped and filled again) with ``HAWIYA_GALLERY_ENGINE=milvus``."""
    from rich.progress import Progress

    from identity.biometrics import templates
    from identity.biometrics.gallery import FACE_FILE, FINGER_FILE, make_gallery
    from identity.platform.db import session_scope
    from identity.platform.settings import get_settings

    settings = get_settings()
    gallery = make_gallery(settings)
    if settings.gallery_engine == "milvus":
        gallery.drop()  # type: ignore[attr-defined]
    for name in (FACE_FILE, FINGER_FILE):
        (settings.index_dir / name).unlink(missing_ok=True)
    with session_scope() as session:
        total = templates.count_gallery(session)
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
