"""Raqibni complaints over HTTP: filed → routed → answered → escalated → routed → answered →
closed, every step timestamped; status only for the complainant; counts per agent and item."""

from __future__ import annotations

from datetime import datetime

from tests.api.ration_helpers import agent, citizens, create_card, desk, open_round


def test_a_complaint_through_all_its_states(client, engine, make_key) -> None:
    portal = desk(make_key)  # the ministry's citizen portal files for the citizen
    agent_headers = agent(client, engine, make_key, portal, "BS-A-0009")
    citizen, stranger = citizens(engine, 2)
    create_card(client, portal, citizen)
    open_round(client, portal)
    filed = client.post("/v1/complaints", headers=portal, json={
        "national_id": citizen, "about": "agent", "agent_licence": "BS-A-0009",
        "round": "2026-11", "item": "flour", "text": "الطحين ناقص ٢ كغم"})
    assert filed.status_code == 201, filed.text
    tracking = filed.json()["tracking_number"]
    assert tracking.startswith("RQ-") and filed.json()["state"] == "filed"
    assert filed.json()["agent_licence"] == "BS-A-0009" and filed.json()["round"] == "2026-11"

    def step(state: str, **kw) -> dict:
        resp = client.post(f"/v1/complaints/{tracking}/steps", headers=portal,
                           json={"state": state, **kw})
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    bad = client.post(f"/v1/complaints/{tracking}/steps", headers=portal,
                      json={"state": "answered"})
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "invalid_transition"
    assert client.post(f"/v1/complaints/{tracking}/steps", headers=portal,
                       json={"state": "routed"}).json()["error"]["code"] == "routed_to_required"
    step("routed", routed_to="Basra supply inspection")
    step("answered", note="the agent was warned")
    step("escalated", note="the citizen disputes the answer")
    step("routed", routed_to="Ministry inspector general")
    step("answered", note="agent's licence suspended for one round")
    final = step("closed")
    states = [s["state"] for s in final["steps"]]
    assert states == ["filed", "routed", "answered", "escalated", "routed", "answered",
                      "closed"]
    times = [datetime.fromisoformat(s["at"]) for s in final["steps"]]
    assert times == sorted(times)
    assert client.post(f"/v1/complaints/{tracking}/steps", headers=portal,
                       json={"state": "routed", "routed_to": "x"}).status_code == 409

    seen = client.get(f"/v1/complaints/{tracking}", headers=portal,
                      params={"national_id": citizen})
    assert seen.status_code == 200 and seen.json()["state"] == "closed"
    hidden = client.get(f"/v1/complaints/{tracking}", headers=portal,
                        params={"national_id": stranger})
    assert hidden.status_code == 404  # another ID learns nothing, not even that it exists
    assert client.get(f"/v1/complaints/{tracking}", headers=agent_headers,
                      params={"national_id": citizen}).status_code == 403

    client.post("/v1/complaints", headers=portal, json={
        "national_id": stranger, "about": "item", "item": "oil", "text": "زيت منتهي الصلاحية"})
    counts = client.get("/v1/complaints/counts", headers=portal).json()
    assert counts["per_agent"] == [{"agent": "BS-A-0009", "total": 1,
                                    "by_state": {"closed": 1}}]
    assert {c["item"]: c["total"] for c in counts["per_item"]} == {"flour": 1, "oil": 1}
    report = client.get("/v1/ration/reports/summary", headers=portal).json()
    assert report["complaints_per_agent"][0]["agent"] == "BS-A-0009"


def test_complaint_input_is_checked(client, engine, make_key) -> None:
    portal = desk(make_key)
    citizen = citizens(engine, 1)[0]
    missing = client.post("/v1/complaints", headers=portal, json={
        "national_id": citizen, "about": "receipt", "text": "x"})
    assert missing.status_code == 422
    unknown = client.post("/v1/complaints", headers=portal, json={
        "national_id": citizen, "about": "receipt", "receipt_id": 999, "text": "x"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "receipt_not_found"
    long = client.post("/v1/complaints", headers=portal, json={
        "national_id": citizen, "about": "item", "item": "sugar", "text": "x" * 2001})
    assert long.status_code == 422
    nul = client.post("/v1/complaints", headers=portal, json={
        "national_id": citizen, "about": "item", "item": "sugar", "text": "bad\x00sugar"})
    assert nul.status_code == 422  # PostgreSQL would refuse the NUL: a 422 here, never a 500
    assert client.get("/v1/complaints/RQ%00X", headers=portal,
                      params={"national_id": citizen}).status_code == 422
    assert client.get("/v1/complaints/RQ-NOPE", headers=portal,
                      params={"national_id": citizen}).status_code == 404
