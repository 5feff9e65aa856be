"""Decisions per hour with 1, 2 and 4 deciders on one database, in one run.

    .venv/bin/python -m bench.deciders_bench --database-url postgresql+psycopg://... \
        --engine milvus --uri http://127.0.0.1:19541 [--persons 30 --captures 3]
        [--deciders 1 --profile-lock bench/out/lock.pstats]

Packets: chimeric ten-finger persons from the 50 real FVC B fingers (person i holds finger
(i + 5j) mod 50 at position j, as ``bench.person_search_bench``), capture c = impression c + 1:
each person's first packet is issued, the others matched. Fingers are extracted once, before
the clock starts (extraction is enrollment's cost, not the decision's; see
``bench.enrollment_bench``). For each number of deciders the database is emptied, the gallery
reconciled, the packets shuffled and handed to the deciders (threads, each with its own
``Decider`` and session; on Milvus each with its own gallery client, as separate processes
would be), and the wall time of all decisions gives decisions/hour. The time each decision holds the
decision lock (lock taken to commit returned) is recorded too: its mean bounds what any number
of deciders can reach on this database (``serial_bound_per_hour``). The outcome is checked:
one person per chimeric person, every other packet matched, no case opened.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import queue
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from enrollment import decider as decider_module
from enrollment.decider import Decider
from enrollment.packet import Packet
from enrollment.service import enroll
from identity.access.keys import Principal
from identity.biometrics import probes
from identity.biometrics.gallery import Gallery, GalleryEngine
from identity.biometrics.milvus_gallery import MilvusGallery
from identity.platform.db import make_engine, session_factory
from identity.platform.migrate import upgrade
from identity.platform.settings import get_settings
from identity.registry.schemas import Demographics
from models.person import Person

log = logging.getLogger("bench.deciders")
DBS = ("FVC2002_DB1_B", "FVC2002_DB2_B", "FVC2002_DB3_B", "FVC2002_DB4_B", "FVC2004_DB2_B")
STATION = Principal(1, "bench", "station", frozenset(), None, None)


NAMES = ("علي", "حسن", "محمد", "عمر", "زيد", "كريم", "سالم", "يوسف", "مصطفى", "جعفر")


def _demographics(i: int) -> Demographics:
    return Demographics.model_validate({
        "given_name": NAMES[i % len(NAMES)], "father_name": NAMES[(i // len(NAMES)) % len(NAMES)],
        "grandfather_name": "كاظم",
        "surname": "الجبوري", "mother_name": "زينب", "maternal_grandfather_name": "جاسم",
        "sex": "M", "birth_date": f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}",
        "birthplace": "Baghdad"})


def packets(root: Path, persons: int, captures: int) -> list[tuple[Packet, probes.Probe]]:
    """(packet, its templates) for every capture of every chimeric person."""
    fingers = [(db, f) for db in DBS for f in range(1, 11)]
    prepared: dict[tuple[int, int], probes.Probe] = {}
    out = []
    for c in range(captures):
        for i in range(persons):
            raw, probe = {}, probes.Probe()
            for j in range(1, 11):
                n = (i + 5 * (j - 1)) % len(fingers)
                db, f = fingers[n]
                if (n, c) not in prepared:
                    image = (root / db / f"{100 + f}_{c + 1}.tif").read_bytes()
                    prepared[(n, c)] = probes.prepare(None, {1: image}, max_pixels=4096 * 4096)
                one = prepared[(n, c)]
                raw[j] = one.samples[0].raw
                probe.samples.append(replace(one.samples[0], position=j))
                probe.finger_templates[j] = one.finger_templates[1]
            out.append((Packet("bench", f"p{i}-c{c}", _demographics(i), face=None,
                               fingers=raw, missing_fingers={}), probe))
    return out


def _empty(engine) -> None:
    """An empty database at the head revision (PostgreSQL: a fresh schema; SQLite: a fresh
    file)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    elif engine.url.database:
        engine.dispose()
        Path(engine.url.database).unlink(missing_ok=True)
    upgrade(engine)


def run(engine, make_gallery, items, deciders: int) -> dict:
    _empty(engine)
    galleries = make_gallery(deciders)
    for g in {id(g): g for g in galleries}.values():
        with session_factory(engine)() as s:
            g.load(s)
    work: queue.Queue = queue.Queue()
    for item in items:
        work.put(item)
    errors: list[BaseException] = []

    def decider(gallery: GalleryEngine) -> None:
        unit = Decider(gallery)
        while True:
            try:
                packet, probe = work.get_nowait()
            except queue.Empty:
                return
            with session_factory(engine)() as s:
                try:
                    enroll_prepared(s, packet, probe, unit)
                except BaseException as exc:  # reported, not swallowed
                    errors.append(exc)

    threads = [threading.Thread(target=decider, args=(g,)) for g in galleries]
    HELD.clear()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for g in {id(g): g for g in galleries}.values():
        g.close()  # its drainer would otherwise hold connections into the next run's reset
    with session_factory(engine)() as s:
        persons = int(s.scalar(select(func.count()).select_from(Person)) or 0)
        statuses = dict(s.execute(text("SELECT status, count(*) FROM enrollments "
                                       "GROUP BY status")).all())
    done = len(items) - len(errors)
    held = np.array(HELD) if HELD else np.zeros(1)
    return {"deciders": deciders, "decisions": done, "wall_s": wall,
            "decisions_per_hour": done / wall * 3600, "persons": persons,
            "lock_held_ms": {"median": float(np.median(held) * 1e3),
                             "mean": float(held.mean() * 1e3),
                             "share_of_wall": float(held.sum() / wall)},
            "serial_bound_per_hour": 3600 / float(held.mean()),
            "statuses": statuses, "errors": [repr(e) for e in errors[:3]]}


HELD: list[float] = []  # seconds each decision held the decision lock (lock taken -> committed)
_HOLDING = threading.local()


def time_the_serial_part(profile: cProfile.Profile | None = None) -> None:
    """Record how long each decision holds the decision lock: from ``lock_decisions``
    returning to its ``Session.commit`` returning — the part no number of deciders shares.
    With ``profile`` (one decider), that part alone is profiled too."""
    lock, commit = decider_module.lock_decisions, Session.commit

    def locked(session: Session) -> None:
        lock(session)
        _HOLDING.since, _HOLDING.session = time.perf_counter(), session
        if profile is not None:
            profile.enable()

    def committed(self: Session) -> None:
        commit(self)
        if getattr(_HOLDING, "session", None) is self:
            if profile is not None:
                profile.disable()
            HELD.append(time.perf_counter() - _HOLDING.since)
            _HOLDING.session = None

    decider_module.lock_decisions = locked  # type: ignore[assignment]
    Session.commit = committed  # type: ignore[method-assign]


EXTRACTED: dict[int, probes.Probe] = {}  # id(packet.fingers) -> its real templates


def _extracted(face, fingers, **kwargs) -> probes.Probe:  # type: ignore[no-untyped-def]
    return EXTRACTED[id(fingers)]


def enroll_prepared(session, packet: Packet, probe: probes.Probe, unit: Decider):
    """``enrollment.service.enroll`` with the packet's templates extracted before the clock
    started (the same templates ``probes.prepare`` gives for these images)."""
    EXTRACTED[id(packet.fingers)] = probe
    return enroll(session, packet, STATION, max_pixels=4096 * 4096, decider=unit)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--engine", choices=["faiss", "milvus"], default="milvus")
    ap.add_argument("--uri", default="http://127.0.0.1:19530")
    ap.add_argument("--persons", type=int, default=30)
    ap.add_argument("--captures", type=int, default=3)
    ap.add_argument("--deciders", type=int, nargs="*", default=[1, 2, 4])
    ap.add_argument("--out", type=Path, default=Path("bench/out/deciders.json"))
    ap.add_argument("--profile-lock", type=Path, default=None,
                    help="profile the locked part of every decision (one decider only) into "
                         "this pstats file and print where its time goes")
    args = ap.parse_args(argv)
    if args.profile_lock and args.deciders != [1]:
        ap.error("--profile-lock needs --deciders 1")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    root = Path(get_settings().test_data) / "fingerprints"
    t = time.perf_counter()
    items = packets(root, args.persons, args.captures)
    log.info("%d packets extracted in %.0f s", len(items), time.perf_counter() - t)
    probes.prepare = _extracted  # type: ignore[assignment]
    profile = cProfile.Profile() if args.profile_lock else None
    time_the_serial_part(profile)
    engine = make_engine(args.database_url)
    prefix = f"bench_deciders_{int(time.time())}"
    index_dir = Path("var/bench-deciders-index")

    def galleries(n: int) -> list[GalleryEngine]:
        if args.engine == "faiss":  # one process: one in-process gallery, shared
            import shutil

            shutil.rmtree(index_dir, ignore_errors=True)
            return [Gallery(index_dir)] * n
        return [MilvusGallery(args.uri, prefix=prefix) for _ in range(n)]

    rng = np.random.default_rng(7)
    results = []
    for d in args.deciders:
        order = [items[i] for i in rng.permutation(len(items))]
        r = run(engine, galleries, order, d)
        log.info("%s", r)
        results.append(r)
    per: dict[int, list[float]] = {}
    for r in results:  # repeats (--deciders 1 2 4 1 2 4): the mean of each count's runs
        per.setdefault(r["deciders"], []).append(r["decisions_per_hour"])
    mean = {d: float(np.mean(v)) for d, v in per.items()}
    base = mean[args.deciders[0]]
    report = {"engine": args.engine, "database": engine.dialect.name, "runs": results,
              "decisions_per_hour": mean, "scaling": {d: m / base for d, m in mean.items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    if profile is not None:
        profile.dump_stats(args.profile_lock)
        text_out = io.StringIO()
        pstats.Stats(profile, stream=text_out).sort_stats("cumulative").print_stats(40)
        print(text_out.getvalue())
    print(json.dumps(report["scaling"]))
    return report


if __name__ == "__main__":
    main()
