"""The ``hawiya`` command line."""

from __future__ import annotations

import sys

import typer

from agencies.inheritance.cli import app as shares_app
from api import cli_access, cli_devices, cli_import, cli_kinship, cli_matching
from api.cli_ration import ration_app

app = typer.Typer(help="Hawiya: biometric identity unification service.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (shown once, stored as HMAC hashes).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(ration_app, name="ration")  # the ration card (issue 9)
app.command("rebuild-index")(cli_matching.rebuild_index)
app.command("reextract")(cli_matching.reextract)
app.add_typer(shares_app)  # `hawiya shares --rules ... --heirs JSON`
app.add_typer(cli_access.agencies_app, name="agencies")
app.add_typer(cli_access.audit_app, name="audit")
app.add_typer(cli_access.events_app, name="events")
app.add_typer(cli_kinship.kinship_app, name="kinship")
app.add_typer(cli_devices.devices_app, name="devices")  # SBI devices (issue 19)
keys_app.command("list")(cli_access.keys_list)
keys_app.command("revoke")(cli_access.keys_revoke)
cli_import.register(app)  # `hawiya import`, `hawiya make-batch` (issue 10)


def _plugins() -> None:
    """Commands other packages add (entry point group ``hawiya.commands``: ``bench``'s
    ``eval`` and ``bench``); the service itself never imports them."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="hawiya.commands"):
        app.add_typer(ep.load(), name=ep.name)


_plugins()


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000,
          workers: int = typer.Option(1, min=1, help="server processes on one port; with the "
                                      "embedded gallery one of them decides identity, the "
                                      "others answer enrollments 503 not_the_decider")) -> None:
    """Migrate, then serve the API and the admin pages."""
    import uvicorn

    from identity.platform.migrate import upgrade

    upgrade()
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")


@app.command()
def migrate() -> None:
    """Apply the database migrations."""
    from identity.platform.migrate import upgrade

    upgrade()
    typer.echo("database is at the newest migration", err=True)


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., help="station, agency or admin"),
    name: str = typer.Option(..., help="who holds the key (a station id for stations)"),
    scope: list[str] = typer.Option([], help="scope (repeatable)"),
    agency: str | None = typer.Option(None, help="the agency the key belongs to"),
) -> None:
    """Create a key and print it alone on stdout (it is never shown again)."""
    from identity.access.agencies import get_agency
    from identity.access.keys import create_key
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    with session_scope() as session:
        try:
            agency_id = get_agency(session, agency).id if agency is not None else None
            key = create_key(session, role=role, name=name, scopes=scope, agency_id=agency_id)
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    sys.stdout.write(key + "\n")


if __name__ == "__main__":
    app()
