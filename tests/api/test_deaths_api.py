"""``/v1/death-records`` over HTTP: success, replay, 404/403/422, reversal, reading back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from identity.platform.db import session_factory
from identity.registry import national_id
from models.person import Person
from models.security import AuditRow, Event
from models.vital import DeathRecord, DeathReversal
from tests.agencies.heirs.family import count, person
from tests.conftest import bearer


@pytest.fixture
def nid(engine) -> str:
    with session_factory(engine)() as s:
        p = person(s, born="1961-07-01")
        s.commit()
        return p.national_id


def body(nid: str, doc: str = "FM-2024-0042", **kw) -> dict:
    return {"national_id": nid, "source_type": "forensic_report", "document_number": doc,
            "date_of_death": "2024-03-09", "place": "الطب العدلي، بغداد", "cause_code": "X59",
            **kw}


@pytest.fixture
def forensic(make_key) -> dict[str, str]:
    return bearer(make_key("agency", name="forensic", scopes=["deaths"]))


def test_report_replay_read_and_reverse(client, engine, nid, forensic, make_key) -> None:
    first = client.post("/v1/death-records", json=body(nid), headers=forensic)
    assert first.status_code == 201, first.text
    ack = first.json()["ack_id"]
    assert first.json()["life_status"] == "deceased"
    again = client.post("/v1/death-records", json=body(nid), headers=forensic)
    assert again.status_code == 200 and again.json()["ack_id"] == ack
    clash = client.post("/v1/death-records", json=body(nid, place="أربيل"), headers=forensic)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "document_number_conflict"

    got = client.get(f"/v1/death-records/{ack}", headers=forensic)
    assert got.status_code == 200 and got.json()["cause_code"] == "X59"
    court = bearer(make_key("agency", name="karkh-court", scopes=["deaths", "court"]))
    assert client.get(f"/v1/death-records/{ack}", headers=court).status_code == 404

    rev = client.post(f"/v1/death-records/{ack}/reversal", headers=court,
                      json={"judgment_reference": "KRK/2024/51", "court": "محكمة الكرخ"})
    assert rev.status_code == 201, rev.text
    assert rev.json()["status"] == "reversed" and rev.json()["life_status"] == "alive"
    assert "cause_code" not in rev.json() or rev.json()["cause_code"] is None
    with session_factory(engine)() as s:
        assert s.scalars(select(Person).where(Person.national_id == nid)).one().life_status \
            == "alive"
        types = [e.type for e in s.scalars(select(Event).order_by(Event.id))]
        assert types[-2:] == ["death.recorded", "death.reversed"]


def test_unknown_id_404_nothing_stored(client, engine, forensic) -> None:
    resp = client.post("/v1/death-records", json=body(national_id.draw()), headers=forensic)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "person_not_found"
    with session_factory(engine)() as s:
        assert count(s, DeathRecord) == 0


@pytest.mark.parametrize(("patch", "code"), [
    ({"date_of_death": "1961-06-30"}, "death_before_birth"),
    ({"date_of_death": "2999-01-01"}, "death_in_future"),
    ({"source_type": "rumour"}, "validation_error"),
    ({"document_number": "x" * 65}, "validation_error"),
    ({"place": "p" * 201}, "validation_error"),
    ({"cause_code": "heart"}, "validation_error"),
    ({"national_id": "12345"}, "invalid_national_id"),
    ({"date_precision": "week"}, "validation_error"),
    ({"extra": "field"}, "validation_error"),
])
def test_bad_input_is_422(client, engine, nid, forensic, patch, code) -> None:
    resp = client.post("/v1/death-records", json=body(nid, **patch), headers=forensic)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == code
    with session_factory(engine)() as s:
        assert count(s, DeathRecord) == 0


def test_keys_without_the_deaths_scope_are_refused(client, nid, make_key) -> None:
    verify = bearer(make_key("agency", name="bank", scopes=["verify"]))
    admin = bearer(make_key("admin", name="root"))
    assert client.post("/v1/death-records", json=body(nid), headers=verify).status_code == 403
    assert client.post("/v1/death-records", json=body(nid), headers=admin).status_code == 403
    assert client.post("/v1/death-records", json=body(nid)).status_code == 401
    assert client.post("/v1/death-records/dr_x/reversal", json={"judgment_reference": "r"},
                       headers=verify).status_code == 403


def test_reversal_404_and_validation(client, forensic) -> None:
    resp = client.post("/v1/death-records/dr_0000000000000000/reversal", headers=forensic,
                       json={"judgment_reference": "J-1"})
    assert resp.status_code == 404
    long_id = client.post("/v1/death-records/" + "d" * 40 + "/reversal", headers=forensic,
                          json={"judgment_reference": "J-1"})
    assert long_id.status_code == 422
    empty = client.post("/v1/death-records/dr_0000000000000000/reversal", headers=forensic,
                        json={"judgment_reference": ""})
    assert empty.status_code == 422


def test_death_and_reversal_reach_the_event_feed(client, nid, forensic, make_key) -> None:
    feed = bearer(make_key("agency", name="ration-ministry", scopes=["events"]))
    ack = client.post("/v1/death-records", json=body(nid), headers=forensic).json()["ack_id"]
    client.post(f"/v1/death-records/{ack}/reversal", headers=forensic,
                json={"judgment_reference": "KRK/2024/52"})
    page = client.get("/v1/events?after=0", headers=feed)
    assert page.status_code == 200, page.text
    mine = [e for e in page.json()["events"] if e["type"].startswith("death.")]
    assert [e["type"] for e in mine] == ["death.recorded", "death.reversed"]
    assert all(e["national_id"] == nid and e["data"]["ack_id"] == ack for e in mine)
    assert mine[0]["data"]["date_of_death"] == "2024-03-09"
    assert mine[0]["data"]["source_type"] == "forensic_report"
    assert mine[1]["data"]["judgment_reference"] == "KRK/2024/52"
    assert "cause_code" not in mine[0]["data"]  # the cause stays with the reporting agency


def test_only_the_recording_agency_or_a_court_may_reverse(client, engine, nid, forensic,
                                                          make_key) -> None:
    """Issue 16, item 3: the ack_id every agency reads in ``death.recorded`` grants nothing."""
    ack = client.post("/v1/death-records", json=body(nid), headers=forensic).json()["ack_id"]
    feed = bearer(make_key("agency", name="bank", scopes=["deaths", "events"]))
    published = [e["data"]["ack_id"] for e in client.get("/v1/events", headers=feed)
                 .json()["events"] if e["type"] == "death.recorded"]
    assert published == [ack]
    judgment = {"judgment_reference": "KRK/2024/99"}

    # Another deaths agency, holding the published ack_id: 404, as for its GET.
    other = client.post(f"/v1/death-records/{ack}/reversal", headers=feed, json=judgment)
    assert other.status_code == 404 and other.json()["error"]["code"] == \
        "death_record_not_found"
    # An agency that attached its own report of the same death: 403, not the reverser either.
    hospital = bearer(make_key("agency", name="medical-city", scopes=["deaths"]))
    attached = client.post("/v1/death-records", headers=hospital, json=body(
        nid, doc="HC-1", source_type="hospital_certificate")).json()
    assert attached["attached_to"] == ack
    refused = client.post(f"/v1/death-records/{attached['ack_id']}/reversal",
                          headers=hospital, json=judgment)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == \
        "reversal_not_allowed"
    with session_factory(engine)() as s:
        assert s.scalars(select(Person).where(Person.national_id == nid)).one().life_status \
            == "deceased"
        assert count(s, DeathReversal) == 0
        assert count(s, Event, Event.type == "death.reversed") == 0
        refusals = s.scalars(select(AuditRow).where(AuditRow.action == "death.reverse")
                             .order_by(AuditRow.id)).all()
        assert [(r.agency, r.outcome) for r in refusals] == [("bank", "refused"),
                                                             ("medical-city", "refused")]
    # A judgment reference is always needed, from the court too.
    court = bearer(make_key("agency", name="karkh-court", scopes=["deaths", "court"]))
    assert client.post(f"/v1/death-records/{ack}/reversal", headers=court,
                       json={}).status_code == 422
    done = client.post(f"/v1/death-records/{attached['ack_id']}/reversal", headers=court,
                       json=judgment)
    assert done.status_code == 201 and done.json()["life_status"] == "alive"
    with session_factory(engine)() as s:
        row = s.scalars(select(AuditRow).where(AuditRow.action == "death.reverse",
                                               AuditRow.outcome == "reversed")).one()
        assert row.agency == "karkh-court"
        assert row.details["judgment_reference"] == "KRK/2024/99"
        assert s.scalars(select(DeathReversal)).one().agency_name == "karkh-court"


def test_the_recording_agency_may_reverse_its_own_record(client, nid, forensic) -> None:
    ack = client.post("/v1/death-records", json=body(nid), headers=forensic).json()["ack_id"]
    rev = client.post(f"/v1/death-records/{ack}/reversal", headers=forensic,
                      json={"judgment_reference": "KRK/2024/7"})
    assert rev.status_code == 201 and rev.json()["life_status"] == "alive"
