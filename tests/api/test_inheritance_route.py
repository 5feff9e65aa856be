from __future__ import annotations

from tests.conftest import bearer


def test_shares_route_scope_and_answer(client, make_key) -> None:
    heirs_key = bearer(make_key("agency", name="court-baghdad", scopes=["heirs"]))
    body = {"rules": "sunni", "deceased": "male", "heirs": {"wife": 1, "son": 1, "mother": 1}}
    resp = client.post("/v1/inheritance/shares", json=body, headers=heirs_key)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["heirs"]["wife"]["share"] == "1/8"
    assert out["heirs"]["son"]["share"] == "17/24"
    assert out["heirs"]["mother"]["share"] == "1/6"
    assert out["base"] == 24

    bad = client.post("/v1/inheritance/shares", headers=heirs_key,
                      json={"rules": "sunni", "heirs": {"cousin_twice_removed": 1}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_relation"

    verify_only = bearer(make_key("agency", name="bank", scopes=["verify"]))
    assert client.post("/v1/inheritance/shares", json=body,
                       headers=verify_only).status_code == 403
    assert client.post("/v1/inheritance/shares", json=body).status_code == 401
