"""The authentication gate (issue 16, item 4): keys are checked before the body is read and
before any rate limit; budgets are keyed on the real key id; failed authentications and
sign-ins are throttled per client address; buckets are bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimiter
from identity.platform.settings import Settings
from tests.api.asgi_helpers import call
from tests.conftest import bearer

ATTACKER = ("198.51.100.9", 4444)
HONEST = ("192.0.2.10", 5555)


def _app(engine, tmp_path: Path, **overrides):
    settings = Settings(environment="test", data_dir=tmp_path / "var", **overrides)
    return create_app(settings, engine)


def _forged(real: str) -> str:
    """A key with the real key's public prefix and a made-up secret."""
    prefix = real.split("_")[1]
    return f"hwk_{prefix}_{'A' * 43}"


def test_bad_or_missing_key_is_401_before_the_body_is_read(engine, tmp_path, make_key) -> None:
    app = _app(engine, tmp_path)
    victim = make_key("agency", name="bank", scopes=["verify"])
    body = [b"--x\r\n" + b"A" * 65536] * 4
    for headers, code in [(bearer(_forged(victim)), "invalid_key"),
                          (bearer("not-a-key"), "invalid_key"),
                          ({}, "missing_key")]:
        got = call(app, "POST", "/v1/verify", chunks=list(body),
                   headers={**headers, "content-type": "multipart/form-data; boundary=x"})
        assert got.status == 401, got.body
        assert code.encode() in got.body
        assert got.body_reads == 0, "the body was read before the key was refused"


def test_forged_prefix_cannot_lock_out_the_real_key(engine, tmp_path, make_key) -> None:
    app = _app(engine, tmp_path, rate_limit_per_minute=5, auth_failures_per_minute=1000)
    victim = make_key("agency", name="bank", scopes=["events"])
    attacker = TestClient(app, client=ATTACKER)
    for _ in range(50):
        assert attacker.get("/v1/events", headers=bearer(_forged(victim))).status_code == 401
    honest = TestClient(app, client=HONEST)
    got = honest.get("/v1/events", headers=bearer(victim))
    assert got.status_code == 200, got.text
    # The real key's own budget still holds: 5 a minute, then 429 with Retry-After.
    codes = [honest.get("/v1/events", headers=bearer(victim)).status_code for _ in range(5)]
    assert codes[:4] == [200] * 4 and codes[4] == 429


def test_made_up_keys_leave_no_key_buckets(engine, tmp_path, make_key) -> None:
    app = _app(engine, tmp_path, auth_failures_per_minute=100_000)
    client = TestClient(app, client=ATTACKER)
    for i in range(300):
        fake = f"hwk_{i:012x}_{'B' * 43}"
        assert client.get("/v1/events", headers=bearer(fake)).status_code == 401
    assert len(app.state.key_limiter) == 0
    assert len(app.state.auth_failures) == 1  # one bucket: the attacker's address


def test_failed_authentications_are_throttled_per_address(engine, tmp_path, make_key) -> None:
    app = _app(engine, tmp_path, auth_failures_per_minute=5)
    good = make_key("agency", name="ration-office", scopes=["events"])
    attacker = TestClient(app, client=ATTACKER)
    codes = [attacker.get("/v1/events", headers=bearer(f"hwk_{i:012x}_x")).status_code
             for i in range(6)]
    assert codes == [401] * 5 + [429]
    blocked = attacker.get("/v1/events", headers=bearer(good))
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert blocked.json()["error"]["code"] == "rate_limited"
    # Another address is not affected, and no key's budget was spent.
    assert TestClient(app, client=HONEST).get("/v1/events", headers=bearer(good)).status_code \
        == 200


def test_workbench_sign_in_is_throttled_per_address(engine, tmp_path, make_key) -> None:
    app = _app(engine, tmp_path, auth_failures_per_minute=3)
    admin = make_key("admin", name="admin-1")
    attacker = TestClient(app, client=ATTACKER, follow_redirects=False)
    for i in range(3):
        wrong = attacker.post("/admin/signin", data={"key": f"hwk_{i:012x}_guess"})
        assert wrong.status_code == 303
        assert wrong.headers["location"].endswith("notice=invalid_key")
    refused = attacker.post("/admin/signin", data={"key": admin})
    assert refused.headers["location"].endswith("notice=rate_limited")
    assert "set-cookie" not in refused.headers
    # The bearer API is closed to that address too (one budget of failures per address).
    assert attacker.get("/v1/persons/123456789012", headers=bearer(admin)).status_code == 429
    honest = TestClient(app, client=HONEST, follow_redirects=False)
    ok = honest.post("/admin/signin", data={"key": admin})
    assert ok.headers["location"] == "/admin/" and "set-cookie" in ok.headers


def test_buckets_are_bounded_and_least_recently_used_goes_first() -> None:
    now = [0.0]
    limiter = RateLimiter(2, max_buckets=100, clock=lambda: now[0])
    assert limiter.hit("keep") is None
    for i in range(10_000):
        limiter.hit(f"flood-{i}")
        if i % 50 == 0:
            limiter.hit("keep")  # stays recently used
    assert len(limiter) == 100
    assert limiter.hit("keep") == 30  # its budget survived the flood: empty, refills 1/30 s
    now[0] += 30
    assert limiter.hit("keep") is None
    assert limiter.blocked("never-seen") is None and len(limiter) == 100


def test_chunked_body_over_the_limit_is_413(engine, tmp_path, make_key) -> None:
    app = _app(engine, tmp_path, max_request_bytes=100_000)
    key = make_key("agency", name="bank", scopes=["verify"])
    chunks = [b"--x\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"]
    chunks += [b"p" * 30_000] * 5
    got = call(app, "POST", "/v1/verify", chunks=chunks,
               headers={**bearer(key), "content-type": "multipart/form-data; boundary=x"})
    assert got.status == 413, got.body
    assert b"request_too_large" in got.body


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/nowhere"])
def test_paths_outside_the_api_are_not_gated(engine, tmp_path, path) -> None:
    app = _app(engine, tmp_path)
    got = call(app, "GET", path, headers=bearer("hwk_forged_forged"))
    assert got.status in (200, 404, 503)
