"""Reports of one death arriving together: one primary record, the rest attached, one event;
the same report twice at once: one record."""

from __future__ import annotations

import threading

from identity.platform.db import session_factory
from identity.registry import deaths
from identity.registry.vital_schemas import DeathReport
from models.security import Event
from models.vital import DeathRecord
from tests.agencies.heirs.family import agency, count, person


def _race(engine, jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i: int, principal, report) -> None:
        with session_factory(engine)() as s:
            barrier.wait()
            try:
                results[i] = deaths.record_death(s, report, principal=principal)
            except Exception as exc:  # surfaced by the assertions below
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _report(nid: str, doc: str) -> DeathReport:
    return DeathReport(national_id=nid, source_type="forensic_report", document_number=doc,
                       date_of_death="2024-02-02", place="بغداد")


def test_simultaneous_reports_give_one_death(engine, session) -> None:
    p = person(session, born="1970-01-01")
    session.commit()
    principals = [agency(session, f"agency-{i}") for i in range(4)]
    results = _race(engine, [(pr, _report(p.national_id, f"D-{i}"))
                             for i, pr in enumerate(principals)])
    assert all(isinstance(r, tuple) and r[0] == 201 for r in results), results
    primaries = [r[1] for r in results if r[1]["attached_to"] is None]
    assert len(primaries) == 1
    assert {r[1]["attached_to"] for r in results} == {None, primaries[0]["ack_id"]}
    session.expire_all()
    assert count(session, Event, Event.type == "death.recorded") == 1
    assert count(session, DeathRecord) == 4


def test_the_same_report_twice_at_once_is_stored_once(engine, session) -> None:
    p = person(session, born="1970-01-01")
    session.commit()
    health = agency(session, "health")
    results = _race(engine, [(health, _report(p.national_id, "D-1"))] * 2)
    assert sorted(r[0] for r in results) == [200, 201], results
    assert results[0][1]["ack_id"] == results[1][1]["ack_id"]
    session.expire_all()
    assert count(session, DeathRecord) == 1
