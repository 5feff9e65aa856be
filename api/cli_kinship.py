"""``hawiya kinship load|show``: bulk-load births and marriages from CSV; list a person's
derived relatives."""

from __future__ import annotations

import json
from pathlib import Path

import typer

kinship_app = typer.Typer(help="Kinship links (births, marriages) and derived relations.",
                          no_args_is_help=True)


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


@kinship_app.command("load")
def load(
    births: Path | None = typer.Option(None, help="CSV: child_national_id, mother_national_id, "
                                       "father_national_id[, source, document_number]"),
    marriages: Path | None = typer.Option(None, help="CSV: husband_national_id, "
                                          "wife_national_id, contract_date[, regime, end_date, "
                                          "end_reason, source, document_number]"),
    actor: str = typer.Option("cli", help="who loads (written to the audit trail)"),
) -> None:
    """Validate and load both files in one transaction: all rows or none. Prints the counts
    (created / updated / unchanged) as JSON; on failure lists every failing row on stderr."""
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError
    from identity.registry import kinship_load
    from identity.registry.vital_schemas import BirthIn, MarriageIn

    if births is None and marriages is None:
        typer.echo("error: give --births and/or --marriages", err=True)
        raise typer.Exit(2)
    births_text, marriages_text = _read(births), _read(marriages)
    with session_scope() as session:
        try:
            summary = kinship_load.load(
                session,
                births=kinship_load.parse_csv(births_text, BirthIn) if births_text else None,
                marriages=(kinship_load.parse_csv(marriages_text, MarriageIn)
                           if marriages_text else None),
                actor=f"cli:{actor[:100]}", source="cli")
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            for row in exc.details if isinstance(exc.details, list) else []:
                typer.echo(f"  {json.dumps(row, ensure_ascii=False)}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(json.dumps(summary))


@kinship_app.command("show")
def show(national_id: str = typer.Argument(..., help="the person's national ID")) -> None:
    """Print the person's relatives as the registry derives them (one per line)."""
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError
    from identity.registry import kinship, persons

    with session_scope() as session:
        try:
            person = persons.get_by_national_id(session, national_id[:20])
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        for r in kinship.relatives(session, person):
            via = f" via {r.via.national_id}" if r.via else ""
            note = f" ({r.note})" if r.note else ""
            typer.echo(f"{r.person.national_id}  {r.relation:<28} {r.person.life_status}"
                       f"{via}{note}")
