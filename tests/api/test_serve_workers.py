"""``hawiya serve --workers 2`` on the embedded gallery: both processes serve (readiness, reads),
exactly one holds the deciding lease, and an enrollment reaching the other is refused with 503
``not_the_decider`` naming the holder — never decided twice, never a 500."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bench.packets import packet
from identity.platform.db import make_engine, session_factory
from models.lease import DeciderLease

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_two_workers_one_decider(tmp_path: Path, shared_data: Path) -> None:
    port, data = _port(), tmp_path / "var"
    env = {**os.environ, "HAWIYA_DATA_DIR": str(data), "HAWIYA_ENVIRONMENT": "test",
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                               "--workers", "2"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        ready = 0
        while ready < 8 and time.monotonic() < deadline:  # both workers loaded their gallery
            with contextlib.suppress(httpx.HTTPError):
                ready = ready + 1 if httpx.get(f"{base}/readyz").status_code == 200 else 0
            time.sleep(0.5)
        assert ready >= 8, "the server never became ready"
        key = subprocess.run([sys.executable, "-m", "api.cli", "keys", "create", "--role",
                              "station", "--name", "st-w"], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
        engine = make_engine(f"sqlite:///{data / 'hawiya.db'}")
        with session_factory(engine)() as s:
            lease = s.scalars(select(DeciderLease)).all()
        assert len(lease) == 1 and lease[0].name == "identity"
        answers = []
        for n in range(12):  # the kernel spreads connections over both workers
            data_, files = packet(shared_data, capture_id=f"w{n}", impression=1 + n % 3)
            resp = httpx.post(f"{base}/v1/enrollments", data=data_, files=files,
                              headers={"Authorization": f"Bearer {key}"}, timeout=120)
            assert resp.status_code < 500 or resp.status_code == 503, resp.text
            answers.append((resp.status_code, resp.json()))
        refused = [b["error"] for c, b in answers if c == 503]
        assert all(e["code"] == "not_the_decider" and e["details"]["holder"] == lease[0].holder
                   for e in refused), refused
        decided = [b for c, b in answers if c in (200, 201)]
        assert decided and len({b["national_id"] for b in decided}) == 1  # one person, one ID
        assert json.loads(httpx.get(f"{base}/healthz").text) == {"status": "ok"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
