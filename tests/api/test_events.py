"""The agency event feed: ordered, cursor-paged, durable across restarts; signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from identity.access import agencies, journal
from identity.access.events import deliver_webhooks, http_sender
from identity.platform.db import make_engine, session_factory
from identity.platform.settings import Settings
from models.agency_access import WebhookCursor
from models.base import utcnow
from tests.conftest import bearer


def _emit(engine, n: int, start: int = 0) -> None:
    with session_factory(engine)() as s:
        for i in range(start, start + n):
            journal.emit(s, "death.recorded", None,
                         {"seq": i, "station_id": "internal", "enrollment_id": i})
        s.commit()


def _page(client, key: str, after: int, limit: int = 3) -> dict:
    resp = client.get(f"/v1/events?after={after}&limit={limit}", headers=bearer(key))
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_feed_pages_in_order_and_resumes_after_a_restart(engine, make_key,
                                                         tmp_path: Path) -> None:
    key = make_key("agency", name="health", scopes=["events"])
    settings = Settings(environment="test", data_dir=tmp_path / "var")
    _emit(engine, 5)
    with TestClient(create_app(settings, engine)) as client:
        first = _page(client, key, 0)
        seqs = [e["data"]["seq"] for e in first["events"]]
        assert seqs == [0, 1, 2]
        assert all("station_id" not in e["data"] and "enrollment_id" not in e["data"]
                   for e in first["events"])
        cursor = first["next_cursor"]
        assert cursor == first["events"][-1]["cursor"]

    # The server goes away; events keep being written; a new process on a new engine resumes.
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    _emit(engine, 4, start=5)
    fresh = make_engine(url)
    try:
        with TestClient(create_app(settings, fresh)) as client:
            seen: list[int] = []
            while True:
                page = _page(client, key, cursor)
                if not page["events"]:
                    assert page["next_cursor"] == cursor
                    break
                seen += [e["data"]["seq"] for e in page["events"]]
                cursor = page["next_cursor"]
            assert seen == [3, 4, 5, 6, 7, 8]  # nothing lost, nothing twice
    finally:
        fresh.dispose()


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    fail: ClassVar[bool] = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        _Receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(503 if _Receiver.fail else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhooks_are_signed_retried_and_resumed(engine) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received, _Receiver.fail = [], True
    deliver = partial(deliver_webhooks, allow_loopback_http=True)
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        with session_factory(engine)() as s:
            agency = agencies.create_agency(s, name="court-hook", scopes=["events"],
                                            webhook_url=url, allow_loopback_http=True)
            agency_id, secret = agency.id, agencies.webhook_secret(agency)
        _emit(engine, 3)
        send = http_sender(timeout=5)
        with session_factory(engine)() as s:
            report = deliver(session=s, send=send)
        assert report[0].error == "HTTP 503" and report[0].delivered == 0
        with session_factory(engine)() as s:
            cursor = s.get(WebhookCursor, agency_id)
            assert cursor is not None and cursor.last_event_id == 0 and cursor.attempts == 1
            # Backing off: nothing is sent before the next attempt is due.
            assert deliver(session=s, send=send)[0].error == "backing off"
            cursor = s.get(WebhookCursor, agency_id)
            assert cursor is not None
            cursor.next_attempt_at = utcnow() - timedelta(seconds=1)
            s.commit()
        _Receiver.fail = False
        with session_factory(engine)() as s:
            assert deliver(session=s, send=send)[0].delivered == 3
        headers, body = _Receiver.received[-1]
        expected = hmac.new(secret.encode(), headers["x-hawiya-timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert headers["x-hawiya-signature"] == f"sha256={expected}"
        assert [e["data"]["seq"] for e in json.loads(body)["events"]] == [0, 1, 2]
        _emit(engine, 1, start=3)
        with session_factory(engine)() as s:
            assert deliver(session=s, send=send)[0].delivered == 1
            assert s.scalars(select(WebhookCursor)).one().attempts == 0
        assert [e["data"]["seq"] for e in json.loads(_Receiver.received[-1][1])["events"]] == [3]
        assert len(_Receiver.received) == 3  # one failure, then two deliveries
    finally:
        server.shutdown()
        server.server_close()
