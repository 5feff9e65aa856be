"""The agency event feed, read from the outbox, and optional signed webhooks.

Events are appended by ``journal.emit`` in the transaction of the change and committed in id
order (the journal lock), so ``after=cursor`` never skips an event: a consumer that was down for
a week resumes at its cursor and misses nothing.

Webhooks: each agency with a ``webhook_url`` (and the ``events`` scope) gets the events after its
delivery cursor POSTed as JSON, oldest first, with ``X-Hawiya-Signature: sha256=HEX`` (HMAC of
``timestamp + "." + body`` under ``agencies.webhook_secret``) and ``X-Hawiya-Timestamp``. A
failure keeps the cursor and retries with exponential backoff; delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.access import agencies
from models.agency_access import WebhookCursor
from models.base import utcnow
from models.security import Agency, Event

# Payload keys that are internal to the registry (station ids, enrollment and case rows).
_INTERNAL = frozenset({"enrollment_id", "station_id", "case_id", "sample_id", "template_id"})
MAX_BACKOFF_SECONDS = 3600


def public_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The part of an event payload an agency may see."""
    return {k: v for k, v in payload.items() if k not in _INTERNAL}


def read_events(session: Session, after: int, limit: int) -> list[Event]:
    """Events with id > ``after``, oldest first, at most ``limit`` (reads only)."""
    return list(session.scalars(
        select(Event).where(Event.id > after).order_by(Event.id).limit(limit)))


@dataclass(frozen=True)
class FeedEvent:
    """One event of the feed as a consumer below the API reads it."""

    id: int
    type: str
    national_id: str | None
    payload: dict[str, Any]
    created_at: datetime


def read_feed(session: Session, after: int, limit: int) -> list[FeedEvent]:
    """``read_events`` as plain values (for consumers that keep their own cursor)."""
    return [FeedEvent(e.id, e.type, e.national_id, dict(e.payload or {}), e.created_at)
            for e in read_events(session, after, limit)]


def event_json(event: Event) -> dict[str, Any]:
    at = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
    return {"cursor": event.id, "type": event.type, "national_id": event.national_id,
            "occurred_at": at.isoformat(), "data": public_payload(event.payload or {})}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


Sender = Callable[[str, bytes, dict[str, str]], int]  # (url, body, headers) -> HTTP status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answer is the agency's own: a redirect is reported, never followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_sender(timeout: float = 10.0) -> Sender:
    """POST with the standard library (no client library is a runtime dependency)."""
    opener = urllib.request.build_opener(_NoRedirect)

    def send(url: str, body: bytes, headers: dict[str, str]) -> int:
        if not url.startswith(("https://", "http://")):
            raise ValueError("a webhook URL is http(s)")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, data=body, method="POST",
            headers={"content-type": "application/json", **headers})
        try:
            with opener.open(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    return send


@dataclass(frozen=True)
class Delivery:
    agency: str
    delivered: int
    error: str | None


def _aware(at: datetime | None) -> datetime | None:
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


def deliver_webhooks(*, session: Session, send: Sender, batch: int = 100) -> list[Delivery]:
    """One delivery round for every agency with a webhook; commits each agency's cursor."""
    report: list[Delivery] = []
    targets = [(a.id, a.name) for a in session.scalars(
        select(Agency).where(Agency.webhook_url.is_not(None)).order_by(Agency.id))
        if "events" in (a.scopes or [])]
    session.rollback()
    for agency_id, name in targets:
        report.append(_deliver_one(session, agency_id, name, send, batch))
    return report


def _deliver_one(session: Session, agency_id: int, name: str, send: Sender,
                 batch: int) -> Delivery:
    cursor = session.get(WebhookCursor, agency_id)
    if cursor is None:
        cursor = WebhookCursor(agency_id=agency_id, last_event_id=0, attempts=0)
        session.add(cursor)
        session.flush()
    due = _aware(cursor.next_attempt_at)
    if due is not None and due > utcnow():
        session.rollback()
        return Delivery(name, 0, "backing off")
    events = read_events(session, cursor.last_event_id, batch)
    agency = session.get(Agency, agency_id)
    if not events or agency is None or agency.webhook_url is None:
        session.commit()
        return Delivery(name, 0, None)
    url, secret, after = agency.webhook_url, agencies.webhook_secret(agency), cursor.last_event_id
    body = json.dumps({"events": [event_json(e) for e in events]}).encode()
    last = events[-1].id
    session.commit()  # no transaction (nor SQLite's write lock) held across the network call

    stamp = str(int(time.time()))
    headers = {"content-type": "application/json", "x-hawiya-timestamp": stamp,
               "x-hawiya-signature": sign(secret, stamp, body)}
    error: str | None = None
    try:
        status = send(url, body, headers)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]

    cursor = session.get(WebhookCursor, agency_id)
    assert cursor is not None
    if cursor.last_event_id == after:  # another deliverer did not move it meanwhile
        if error is None:
            cursor.last_event_id, cursor.attempts = last, 0
            cursor.next_attempt_at, cursor.last_error = None, None
        else:
            cursor.attempts += 1
            backoff = min(2 ** cursor.attempts, MAX_BACKOFF_SECONDS)
            cursor.next_attempt_at = utcnow() + timedelta(seconds=backoff)
            cursor.last_error = error
        cursor.updated_at = utcnow()
    session.commit()
    return Delivery(name, 0 if error else len(events), error)
