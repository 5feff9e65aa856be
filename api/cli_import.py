"""``hawiya import SOURCE --register R`` and ``hawiya make-batch OUT`` (issue 10)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

from identity.registry.schemas import LEGACY_REGISTERS


def import_records(
    source: Path = typer.Argument(..., help="folder of ANSI/NIST-ITL files, or a .csv manifest"),
    register: str = typer.Option(..., help=f"legacy register: {', '.join(LEGACY_REGISTERS)}"),
    workers: int | None = typer.Option(None, help="extraction processes (0: in this process; "
                                       "default: CPU count - 1)"),
    out: Path | None = typer.Option(None, help="report folder (default: DATA_DIR/imports/job-N)"),
    profile: str | None = typer.Option(None, help="Type-2 mapping profile: a name in "
                                       "enrollment/batch/profiles or a .toml path (default: "
                                       "the register's own, else hawiya)"),
    cluster: str | None = typer.Option(None, help="Ray address (auto, ray://host:10001, or "
                                       "local): extraction as Ray tasks; default: the local "
                                       "process pool"),
    all_vs_all: bool = typer.Option(False, "--all-vs-all", help="first run: extract every "
                                    "face, search all of them against each other at once (on "
                                    "the GPUs when FAISS has them), and give each record its "
                                    "earlier face pairs as candidates"),
) -> None:
    """Import a legacy register: dedup every record, issue/match/hold, link legacy numbers.

    Resumable: run the same command again after any interruption (it also decides the held
    records a clerk has completed). Prints the report JSON."""
    from enrollment.batch.job import run_import
    from identity.platform.db import get_engine
    from identity.platform.errors import DomainError
    from identity.platform.migrate import upgrade
    from identity.platform.settings import get_settings

    if not sys.stderr.isatty():
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    settings = get_settings()
    engine = get_engine(settings.resolved_database_url)
    upgrade(engine)
    try:
        report = run_import(source, register, engine=engine, settings=settings,
                            workers=workers, out_dir=out, profile=profile, cluster=cluster,
                            all_vs_all=all_vs_all)
    except DomainError as exc:
        typer.echo(f"error: {exc.message} ({exc.code})", err=True)
        raise typer.Exit(2) from exc
    report.pop("fused_llrs", None)
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))


def make_batch(
    out: Path = typer.Argument(..., help="folder to write (one sub-folder per register)"),
    persons: int = typer.Option(6, help="synthetic persons"),
    fingers: int = typer.Option(10, help="fingers per record (1-10)"),
    duplicates: float = typer.Option(0.5, help="share of persons planted in 2+ registers"),
    weak: int = typer.Option(1, help="planted duplicates with weaker evidence (no face)"),
    malformed: int = typer.Option(0, help="malformed files / corrupt images to plant"),
    finger_format: str = typer.Option("type14-wsq", help="type14-wsq|type14-raw|type4-wsq|"
                                      "type4-raw"),
    seed: int = typer.Option(7, help="random seed (same seed, same batch)"),
) -> None:
    """Write a test batch of ANSI/NIST-ITL files with known duplicates and a truth.json."""
    from enrollment.batch.generator import BatchSpec
    from enrollment.batch.generator import make_batch as generate
    from identity.platform.settings import get_settings

    spec = BatchSpec(persons=persons, fingers=fingers, duplicate_share=duplicates, weak=weak,
                     malformed=malformed, finger_format=finger_format, seed=seed)
    truth = generate(out, get_settings().test_data, spec)
    typer.echo(json.dumps({"records": len(truth["records"]), "clusters": len(truth["clusters"]),
                           "folders": truth["folders"]}, ensure_ascii=False))


def import_complete(
    job: int = typer.Argument(..., help="import job id (report.json: job_id)"),
    key: str | None = typer.Argument(None, help="record key of a held record; none: list holds"),
    item: list[str] = typer.Option([], "--set", help="demographic item=value (repeatable)"),
    clerk: str = typer.Option("clerk", help="who completes the record"),
) -> None:
    """List a job's records held for a clerk, or complete one (``--set mother_name=...``);
    the next ``hawiya import`` of the same source decides the completed ones."""
    from enrollment.batch import intake
    from identity.platform.db import get_engine, session_factory
    from identity.platform.errors import DomainError
    from identity.platform.settings import get_settings

    engine = get_engine(get_settings().resolved_database_url)
    with session_factory(engine)() as session:
        if key is None:
            typer.echo(json.dumps(intake.holds(session, job_id=job), indent=2,
                                  ensure_ascii=False))
            return
        pairs = dict(part.partition("=")[::2] for part in item)
        try:
            held = intake.complete(session, job_id=job, record_key=key, items=pairs, clerk=clerk)
        except DomainError as exc:
            typer.echo(f"error: {exc.message} ({exc.code})", err=True)
            raise typer.Exit(2) from exc
        typer.echo(json.dumps({"record_key": held.record_key, "status": held.status,
                               "missing": held.missing}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command("import")(import_records)
    app.command("import-complete")(import_complete)
    app.command("make-batch")(make_batch)
