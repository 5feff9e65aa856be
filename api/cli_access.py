"""``hawiya agencies``, ``hawiya keys list|revoke``, ``hawiya audit verify``, ``hawiya events``."""

from __future__ import annotations

import time

import typer

agencies_app = typer.Typer(help="Agencies and their scopes.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
events_app = typer.Typer(help="The event outbox and its webhooks.", no_args_is_help=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@agencies_app.command("create")
def agencies_create(
    name: str = typer.Argument(..., help="agency name (unique)"),
    scope: list[str] = typer.Option([], help="verify, deaths, heirs, ration, events (repeat)"),
    webhook_url: str | None = typer.Option(None, help="URL events are POSTed to (optional)"),
) -> None:
    """Create an agency; print its id. Then: hawiya keys create --role agency --agency NAME."""
    from identity.access import agencies
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    with session_scope() as session:
        try:
            agency = agencies.create_agency(session, name=name, scopes=scope,
                                            webhook_url=webhook_url)
        except DomainError as exc:
            raise _fail(exc.message) from exc
        typer.echo(f"agency {agency.id} {agency.name} scopes={','.join(agency.scopes)}")
        if webhook_url:
            typer.echo(f"webhook secret (shown once): {agencies.webhook_secret(agency)}")


@agencies_app.command("list")
def agencies_list() -> None:
    """Every agency with its scopes."""
    from identity.access import agencies
    from identity.platform.db import session_scope

    with session_scope() as session:
        for a in agencies.list_agencies(session):
            hook = f" webhook={a.webhook_url}" if a.webhook_url else ""
            typer.echo(f"{a.id}\t{a.name}\t{','.join(a.scopes)}{hook}")


def keys_list() -> None:
    """Every key: id, prefix, role, name, agency, scopes, revoked (never the key itself)."""
    from identity.access import agencies
    from identity.platform.db import session_scope

    with session_scope() as session:
        names = {a.id: a.name for a in agencies.list_agencies(session)}
        for k in agencies.list_keys(session):
            state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
            agency = names.get(k.agency_id, "-") if k.agency_id else "-"
            typer.echo(f"{k.id}\thwk_{k.prefix}_…\t{k.role}\t{k.name}\t{agency}\t"
                       f"{','.join(k.scopes)}\t{state}")


def keys_revoke(key_id: int = typer.Argument(..., help="the key's id (hawiya keys list)")) -> None:
    """Revoke a key; effective on its next request."""
    from identity.access.keys import revoke_key
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    with session_scope() as session:
        try:
            revoke_key(session, key_id)
        except DomainError as exc:
            raise _fail(exc.message) from exc
    typer.echo(f"key {key_id} revoked", err=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the audit chain; exit 1 naming the first altered row, 0 when intact."""
    from identity.access.journal import count_rows, verify_chain
    from identity.platform.db import session_scope

    with session_scope() as session:
        bad = verify_chain(session)
        count = count_rows(session)
    if bad is not None:
        raise _fail(f"audit chain broken: row {bad} was altered (or a row before it removed)", 1)
    typer.echo(f"audit chain intact ({count} rows)")


@events_app.command("deliver")
def events_deliver(
    loop: bool = typer.Option(False, help="keep delivering every --interval seconds"),
    interval: float = typer.Option(5.0, min=0.5),
) -> None:
    """Deliver pending events to agency webhooks (signed, retried with backoff)."""
    from identity.access.events import deliver_webhooks, http_sender
    from identity.platform.db import session_scope

    send = http_sender()
    while True:
        with session_scope() as session:
            for d in deliver_webhooks(session=session, send=send):
                typer.echo(f"{d.agency}: delivered {d.delivered}"
                           + (f" ({d.error})" if d.error else ""), err=True)
        if not loop:
            return
        time.sleep(interval)
