"""Load test of ``POST /v1/verify``: throughput and p50/p95 latency at 1, 8 and 32 clients.

    .venv/bin/python -m bench.verify_load [--url URL] [--requests 24] [--probe face|face+2]

Without ``--url`` it starts the real server (``python -m api.cli serve``, as ``make run`` does)
on a free loopback port with a throwaway data directory, enrolls one person through the
station API (real FVC2002 DB1_B fingers and a real face), creates an agency key, drives the
load with an asyncio/httpx generator, and stops the server. With ``--url`` it needs
``--agency-key`` and ``--national-id`` for an existing person. Results go to stdout and
``bench/out/verify_load.json``; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FACES = SHARED / "faces" / "ageitgey_face_recognition" / "tests" / "test_images"
FINGERS = SHARED / "fingerprints" / "FVC2002_DB1_B"
DEMOGRAPHICS = {"given_name": "علي", "father_name": "حسين", "grandfather_name": "كاظم",
                "surname": "الجبوري", "mother_name": "زينب", "maternal_grandfather_name": "جاسم",
                "sex": "M", "birth_date": "1984-03-17", "birthplace": "Baghdad"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _enroll(url: str, station_key: str) -> str:
    files: list[tuple[str, tuple[str, bytes, str]]] = [
        ("face", ("face.jpg", (FACES / "obama.jpg").read_bytes(), "image/jpeg"))]
    for p in range(1, 11):
        files.append((f"finger_{p}", (f"{p}.tif", (FINGERS / f"{100 + p}_1.tif").read_bytes(),
                                      "image/tiff")))
    resp = httpx.post(f"{url}/v1/enrollments", headers={"Authorization": f"Bearer {station_key}"},
                      data={"capture_id": "bench-1", "demographics": json.dumps(DEMOGRAPHICS)},
                      files=files, timeout=300)
    resp.raise_for_status()
    return str(resp.json()["national_id"])


def _probe(kind: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    files = [("face", ("face.jpg", (FACES / "obama2.jpg").read_bytes(), "image/jpeg"))]
    if kind == "face+2":
        for p in (1, 2):
            files.append((f"finger_{p}", (f"{p}.tif",
                                          (FINGERS / f"{100 + p}_2.tif").read_bytes(),
                                          "image/tiff")))
    return files


async def _run_level(url: str, key: str, nid: str, files: list[Any], clients: int,
                     total: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, timeout=600,
                                 limits=httpx.Limits(max_connections=clients)) as http:
        async def worker() -> None:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                start = time.perf_counter()
                resp = await http.post("/v1/verify", headers=headers, files=files,
                                       data={"national_id": nid, "purpose": "bench"})
                latencies.append(time.perf_counter() - start)
                statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - began
    latencies.sort()
    p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)]
    return {"clients": clients, "requests": total, "statuses": statuses,
            "throughput_rps": round(total / wall, 2), "p50_ms": round(1000 *
            statistics.median(latencies), 1), "p95_ms": round(1000 * p95, 1),
            "wall_s": round(wall, 1)}


def _server(tmp: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = _free_port()
    env = dict(os.environ, HAWIYA_DATA_DIR=str(tmp), HAWIYA_ENVIRONMENT="development",
               HAWIYA_RATE_LIMIT_PER_MINUTE="1000000", HAWIYA_VERIFY_LOCK_FAILURES="1000000")
    env.pop("HAWIYA_DATABASE_URL", None)
    _cli(env, "migrate")
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return proc, url, env
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server did not become ready")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url")
    ap.add_argument("--agency-key")
    ap.add_argument("--national-id")
    ap.add_argument("--requests", type=int, default=24, help="requests per client level")
    ap.add_argument("--levels", default="1,8,32")
    ap.add_argument("--probe", choices=("face", "face+2"), default="face+2")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "verify_load.json")
    args = ap.parse_args()

    proc = None
    tmp = tempfile.TemporaryDirectory(prefix="hawiya-bench-")
    try:
        if args.url:
            url, key, nid = args.url, args.agency_key, args.national_id
            if not (key and nid):
                raise SystemExit("--url needs --agency-key and --national-id")
        else:
            proc, url, env = _server(Path(tmp.name))
            station = _cli(env, "keys", "create", "--role", "station", "--name", "bench-st")
            _cli(env, "agencies", "create", "bench-court", "--scope", "verify")
            key = _cli(env, "keys", "create", "--role", "agency", "--name", "bench-ag",
                       "--agency", "bench-court", "--scope", "verify")
            nid = _enroll(url, station)
        files = _probe(args.probe)
        warm = httpx.post(f"{url}/v1/verify", headers={"Authorization": f"Bearer {key}"},
                          files=files, data={"national_id": nid}, timeout=600)
        print(f"warm-up: {warm.status_code} {warm.json().get('decision_band')}", file=sys.stderr)
        results = []
        for level in (int(v) for v in args.levels.split(",")):
            total = max(args.requests, level)
            res = asyncio.run(_run_level(url, key, nid, files, level, total))
            print(json.dumps(res), flush=True)
            results.append(res)
        report = {"probe": args.probe, "cpus": os.cpu_count(), "results": results,
                  "loadavg_after": os.getloadavg()}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=60)
        tmp.cleanup()


if __name__ == "__main__":
    main()
