"""``hawiya ration``: apply life events, print the ministry's report, manage rules and agents."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import typer

ration_app = typer.Typer(help="The ration card (Ministry of Trade).", no_args_is_help=True)
rules_app = typer.Typer(help="Eligibility rules (dated versions).", no_args_is_help=True)
agents_app = typer.Typer(help="Licensed agents.", no_args_is_help=True)
ration_app.add_typer(rules_app, name="rules")
ration_app.add_typer(agents_app, name="agents")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@ration_app.command("sync")
def sync() -> None:
    """Apply the identity event feed (deaths suspend members, reversals restore them)."""
    from agencies.ration import life_events
    from identity.platform.db import session_scope
    from identity.platform.settings import get_settings

    with session_scope() as session:
        applied, cursor = life_events.sync(session=session,
                                           grace_days=get_settings().ration_death_grace_days)
    typer.echo(f"applied {applied} life event(s); cursor at event {cursor}", err=True)


@ration_app.command("tasks")
def tasks_list(state: str = typer.Option("open", help="open | confirmed | dismissed | void"),
               limit: int = typer.Option(100, min=1, max=10_000)) -> None:
    """The staff queue (after applying new life events), one JSON line per task."""
    from agencies.ration import life_events, proposals, views
    from identity.platform.db import session_scope
    from identity.platform.settings import get_settings

    if state not in proposals.STATES:
        raise _fail(f"--state must be one of {', '.join(proposals.STATES)}")
    with session_scope() as session:
        life_events.sync(session=session, grace_days=get_settings().ration_death_grace_days)
        for task in proposals.tasks(session, state, limit):
            sys.stdout.write(views.proposal_view(session, task).model_dump_json() + "\n")


@ration_app.command("report")
def report(
    on: str | None = typer.Option(None, help="ISO date (default today)"),
    html: Path | None = typer.Option(None, help="also write the page with charts here"),
) -> None:
    """Print the ministry's report as JSON on stdout (after a sync)."""
    from agencies.ration import life_events, report_page, reports
    from identity.platform.db import session_scope
    from identity.platform.settings import get_settings

    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError as exc:
        raise _fail("--on must be an ISO date") from exc
    with session_scope() as session:
        life_events.sync(session=session, grace_days=get_settings().ration_death_grace_days)
        result = reports.summary(session, day)
    if html is not None:
        html.write_text(report_page.render(result), encoding="utf-8")
        typer.echo(f"wrote {html}", err=True)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


@rules_app.command("list")
def rules_list() -> None:
    """Every rule version, oldest first per category."""
    from agencies.ration import rules, views
    from identity.platform.db import session_scope

    with session_scope() as session:
        for rule in rules.list_rules(session):
            sys.stdout.write(views.rule_view(rule).model_dump_json() + "\n")


@rules_app.command("add")
def rules_add(
    category: str = typer.Option(...), effective_from: str = typer.Option(...),
    basis: str = typer.Option(..., help="the legal basis (decision number, date)"),
    threshold_iqd: int | None = typer.Option(None), min_days: int | None = typer.Option(None),
    max_grade: int | None = typer.Option(None),
) -> None:
    """Add a rule version from a date (the version before it ends the day before)."""
    from agencies.ration import rules
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    with session_scope() as session:
        try:
            rule = rules.add_rule_version(
                session, category=category, effective_from=date.fromisoformat(effective_from),
                basis=basis, actor="cli", threshold_iqd=threshold_iqd, min_days=min_days,
                max_grade=max_grade)
        except (DomainError, ValueError) as exc:
            raise _fail(getattr(exc, "message", str(exc))) from exc
        typer.echo(f"rule {rule.id} {rule.category} from {rule.effective_from}", err=True)


@agents_app.command("add")
def agents_add(
    agency: str = typer.Option(..., help="the ministry's agency name"),
    key_id: int = typer.Option(..., help="the agent's key id (hawiya keys list)"),
    licence: str = typer.Option(...), governorate: str = typer.Option(...),
    centre: str = typer.Option(...),
) -> None:
    """Register one of the ministry's ration keys as a licensed agent."""
    from agencies.ration import agents
    from identity.access.agencies import get_agency
    from identity.access.keys import Principal
    from identity.platform.db import session_scope
    from identity.platform.errors import DomainError

    with session_scope() as session:
        try:
            row = get_agency(session, agency)
        except DomainError as exc:
            raise _fail(f"no agency named {agency!r}") from exc
        admin = Principal(key_id=0, name="cli", role="agency", scopes=frozenset({"ration"}),
                          agency_id=row.id, agency_name=row.name)
        try:
            agent = agents.register_agent(session, principal=admin, licence=licence[:32],
                                          key_id=key_id, governorate_name=governorate,
                                          centre=centre[:64])
        except DomainError as exc:
            raise _fail(exc.message) from exc
        typer.echo(f"agent {agent.licence} = key {agent.key_id}", err=True)
