"""The real service under bursts and attack: memory of the whole service, answers, and the
honest stations' latency beside attackers (issue 16, items 1-2).

Starts ``hawiya serve`` on a free loopback port with the extraction pool (``--workers``,
``--queue``), then:

1. bursts of 1, 4, 16 and 64 concurrent full packets (face + ten fingers) to
   ``POST /v1/enrollments``: peak RSS of the service and its workers (sampled every 50 ms),
   settled RSS 5 s after the burst, and the answers by status (503 ``extraction_busy`` with
   ``Retry-After`` when the pool is full; never a 500, never a crash);
2. honest stations (``--honest`` clients, each sending face + 4 fingers one after another)
   alone, then beside ``--attackers`` clients sending a 49 KB blank 4096 x 4096 PNG as the
   face: p50/p95 of the honest requests in both runs, and the attackers' answers.

    .venv/bin/python -m bench.extraction_load --out bench/out/extraction_load.json

Loopback only, bounded in requests and time. The machine is shared: read the ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from bench.packets import DEMOGRAPHICS, face_path, finger_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _own_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def _tree_rss_mb(pid: int) -> float:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total / 2**20


class Sampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mb(self.pid))
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def _files(data: Path, fingers: int, face: bytes | None = None, db: str = "FVC2002_DB1_B",
           imp: int = 1) -> list[tuple[str, tuple[str, bytes, str]]]:
    out = [("face", ("face.jpg", face or face_path(data).read_bytes(), "image/jpeg"))]
    for pos in range(1, fingers + 1):
        out.append((f"finger_{pos}", (f"f{pos}.tif",
                                      finger_path(data, pos, imp, db).read_bytes(), "image/tiff")))
    return out


def _post(client: httpx.Client, key: str, cap: str, files: list, fingers: int) -> tuple[int, float]:
    missing = {str(p): "unusable" for p in range(fingers + 1, 11)}
    data = {"capture_id": cap, "demographics": json.dumps(DEMOGRAPHICS),
            **({"missing_fingers": json.dumps(missing)} if missing else {})}
    t = time.perf_counter()
    r = client.post("/v1/enrollments", data=data, files=files,
                    headers={"Authorization": f"Bearer {key}"}, timeout=600)
    return r.status_code, time.perf_counter() - t


def _burst(base: str, key: str, pid: int, n: int, files: list, tag: str) -> dict[str, Any]:
    codes: list[int] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        with httpx.Client(base_url=base) as c:
            code, _ = _post(c, key, f"{tag}-{n}-{i}", files, 10)
        with lock:
            codes.append(code)

    with Sampler(pid) as s:
        t = time.perf_counter()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
    time.sleep(5)
    return {"concurrent": n, "peak_rss_mb": round(s.peak), "settled_rss_mb":
            round(_tree_rss_mb(pid)), "settled_server_only_mb": round(_own_rss_mb(pid)),
            "answers": dict(Counter(codes)), "wall_s": round(wall, 1)}


def _honest(base: str, key: str, data: Path, clients: int, each: int, attackers: int,
            tag: str) -> dict[str, Any]:
    lat: list[float] = []
    attack_codes: list[int] = []
    stop = threading.Event()
    blank = io.BytesIO()
    Image.new("RGB", (4096, 4096), (255, 255, 255)).save(blank, format="PNG")
    bad = blank.getvalue()

    def honest(c_id: int) -> None:
        with httpx.Client(base_url=base) as c:
            for i in range(each):
                files = _files(data, 4, db="FVC2002_DB2_B", imp=1 + (i % 8))
                code, dt = _post(c, key, f"{tag}-h{c_id}-{i}", files, 4)
                if code < 500:
                    lat.append(dt)

    def attacker(a_id: int) -> None:
        with httpx.Client(base_url=base) as c:
            i = 0
            while not stop.is_set() and i < 200:
                code, _ = _post(c, key, f"{tag}-a{a_id}-{i}", _files(data, 0, face=bad), 0)
                attack_codes.append(code)
                i += 1

    atk = [threading.Thread(target=attacker, args=(a,)) for a in range(attackers)]
    for t in atk:
        t.start()
    hs = [threading.Thread(target=honest, args=(c,)) for c in range(clients)]
    for t in hs:
        t.start()
    for t in hs:
        t.join()
    stop.set()
    for t in atk:
        t.join()
    arr = np.array(lat)
    return {"attackers": attackers, "honest_requests": len(lat),
            "p50_s": round(float(np.percentile(arr, 50)), 3),
            "p95_s": round(float(np.percentile(arr, 95)), 3),
            "attack_answers": dict(Counter(attack_codes))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queue", type=int, default=8)
    ap.add_argument("--bursts", default="1,4,16,64")
    ap.add_argument("--honest", type=int, default=2)
    ap.add_argument("--each", type=int, default=6)
    ap.add_argument("--attackers", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("bench/out/extraction_load.json"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hawiya-load-"))
    env = {**os.environ, "HAWIYA_DATA_DIR": str(tmp), "HAWIYA_EXTRACT_WORKERS": str(args.workers),
           "HAWIYA_EXTRACT_QUEUE": str(args.queue), "HAWIYA_RATE_LIMIT_PER_MINUTE": "100000"}
    cli = [sys.executable, "-m", "api.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    key = subprocess.run([*cli, "keys", "create", "--role", "station", "--name", "bench"],
                         env=env, check=True, capture_output=True, text=True).stdout.strip()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result: dict[str, Any] = {"workers": args.workers, "queue": args.queue}
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        time.sleep(20)  # the workers load their models
        result["idle_rss_mb"] = round(_tree_rss_mb(server.pid))
        files = _files(args.data, 10)
        result["bursts"] = []
        for n in (int(x) for x in args.bursts.split(",")):
            row = _burst(base, key, server.pid, n, files, "burst")
            result["bursts"].append(row)
            print(json.dumps(row), flush=True)
        result["honest_solo"] = _honest(base, key, args.data, args.honest, args.each, 0, "solo")
        print(json.dumps(result["honest_solo"]), flush=True)
        result["honest_attacked"] = _honest(base, key, args.data, args.honest, args.each,
                                            args.attackers, "mix")
        print(json.dumps(result["honest_attacked"]), flush=True)
        result["p95_ratio"] = round(result["honest_attacked"]["p95_s"] /
                                    result["honest_solo"]["p95_s"], 2)
        result["server_alive"] = server.poll() is None
    finally:
        server.terminate()
        server.wait(30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
