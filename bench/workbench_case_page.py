"""Time to load a workbench case page with ten fingers on each side.

    .venv/bin/python -m bench.workbench_case_page [--runs 10] [--out FILE.json]

Set-up (real images, real extraction): person A = obama.jpg + FVC2002_DB1_B fingers 1-10,
impression 1, issued through ``POST /v1/enrollments``; person B = obama2.jpg + the same fingers,
impression 2, issued without dedup (as a legacy import would), and the case between them — the
page then shows 2 faces and 10 finger pairs with their paired minutiae (22 PNGs rendered from the
encrypted samples). The service runs as its own uvicorn process (one worker) on 127.0.0.1.

Measured: (1) ``http``: the case HTML, then its 22 images fetched 6 at a time (as a browser does
per host), wall time per full page; the first load is cold (minutia pairs not yet computed),
the others warm; (2) ``chromium``: headless Debian Chromium (signed in with the cookie) opening
the page until every image has loaded (``/usr/bin/chromium``; skipped when absent), all warm.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _setup(data_dir: Path, shared: Path) -> tuple[int, str]:
    """Enroll A and B, open the case; returns (case id, admin key)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from bench.packets import DEMOGRAPHICS, face_path, finger_path, packet
    from enrollment import dedup, search
    from enrollment.packet import Packet
    from identity.access.keys import create_key
    from identity.biometrics import probes, templates
    from identity.platform.db import make_engine, session_factory
    from identity.platform.migrate import upgrade
    from identity.platform.settings import Settings
    from identity.registry import persons
    from identity.registry.schemas import Demographics
    from models.enrollment import Enrollment

    engine = make_engine(f"sqlite:///{data_dir / 'hawiya.db'}")
    upgrade(engine)
    with session_factory(engine)() as s:
        station = create_key(s, role="station", name="bench-station")
        admin = create_key(s, role="admin", name="bench-admin")
    app = create_app(Settings(environment="test", data_dir=data_dir), engine)
    with TestClient(app) as client:
        while not app.state.gallery.ready:
            time.sleep(0.05)
        form, files = packet(shared, capture_id="a1", face=face_path(shared).read_bytes())
        resp = client.post("/v1/enrollments", data=form, files=files,
                           headers={"Authorization": f"Bearer {station}"})
        assert resp.status_code == 201, resp.text
        nid_a = resp.json()["national_id"]
        p = Packet(station_id="legacy", capture_id="b1",
                   demographics=Demographics.model_validate(DEMOGRAPHICS),
                   face=face_path(shared, "obama2.jpg").read_bytes(),
                   fingers={i: finger_path(shared, i, 2).read_bytes() for i in range(1, 11)})
        probe = probes.prepare(p.face, p.fingers, max_pixels=4096 * 4096)
        with session_factory(engine)() as s:
            enrollment = Enrollment(station_id=p.station_id, capture_id=p.capture_id,
                                    content_hash=p.content_hash(), status="issued",
                                    demographics=p.demographics.model_dump(mode="json"),
                                    source="bench")
            s.add(enrollment)
            s.flush()
            person_b = persons.issue_person(s, p.demographics, actor="bench")
            enrollment.person_id = person_b.id
            templates.store(s, enrollment.id, probe, person_b.id)
            person_a = persons.get_by_national_id(s, nid_a)
            cand = search.rescore_person(s, person_a.id, probe)
            case = dedup.open_case(s, enrollment, [cand], actor="bench")
            s.commit()
            case_id = case.id
    engine.dispose()
    return case_id, admin


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http_loads(url: str, case_id: int, key: str, runs: int) -> list[float]:
    headers = {"Authorization": f"Bearer {key}"}
    times = []
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client, \
            ThreadPoolExecutor(6) as pool:
        for _ in range(runs):
            t0 = time.perf_counter()
            html = client.get(f"/admin/cases/{case_id}")
            html.raise_for_status()
            srcs = re.findall(r'src="(/admin/cases/[^"]+\.png)"', html.text)
            assert len(srcs) == 22, len(srcs)
            for resp in pool.map(client.get, srcs):
                resp.raise_for_status()
            times.append(time.perf_counter() - t0)
    return times


def _chromium_loads(url: str, case_id: int, key: str, runs: int) -> list[float] | None:
    if not os.path.exists(CHROMIUM):
        return None
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=url)
        page = context.new_page()
        page.goto("/admin/signin")
        page.fill("#key", key)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        for _ in range(runs):
            t0 = time.perf_counter()
            page.goto(f"/admin/cases/{case_id}")
            page.wait_for_function(
                "[...document.images].every(i => i.complete && i.naturalWidth > 0)")
            times.append(time.perf_counter() - t0)
        browser.close()
    return times


def _summary(times: list[float] | None, cold: bool) -> dict[str, float] | None:
    if not times:
        return None
    warm = sorted(times[1:] if cold else times) or times
    head = {"cold_s": round(times[0], 3)} if cold else {}
    return {**head, "warm_median_s": round(statistics.median(warm), 3),
            "warm_p95_s": round(warm[min(len(warm) - 1, int(0.95 * len(warm)))], 3),
            "runs": len(times)}


def main(runs: int, shared: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        case_id, key = _setup(data_dir, shared)
        port = _port()
        env = dict(os.environ, HAWIYA_DATA_DIR=str(data_dir), HAWIYA_ENVIRONMENT="test")
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server not ready")
                time.sleep(0.2)
            http = _http_loads(url, case_id, key, runs)
            # After the HTTP runs: the minutia pairs are cached, so every Chromium load is warm
            # (images are still decrypted, decoded, drawn and encoded on each request).
            chromium = _chromium_loads(url, case_id, key, runs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"page": "case with 2 faces and 10 finger pairs (22 PNGs)", "http": _summary(http, True),
            "http_all_s": [round(t, 3) for t in http], "chromium": _summary(chromium, False),
            "chromium_all_s": [round(t, 3) for t in chromium or []],
            "machine": f"{os.cpu_count()} CPUs", "server": "uvicorn, 1 worker, SQLite"}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("bench/out/workbench_case_page.json"))
    args = ap.parse_args()
    result = main(args.runs, args.shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
