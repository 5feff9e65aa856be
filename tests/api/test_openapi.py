"""The OpenAPI document: complete, accurate errors, no biometric field in agency responses."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import PUBLIC_PATHS, create_app
from identity.platform.settings import Settings
from tests.api.test_scopes import api_routes, keyed_routes

BIOMETRIC = re.compile(r"template|embedding|minuti|image|score|vector|distance|llr|sample|"
                       r"ciphertext|face_|finger_|encoding|pixels|wsq", re.IGNORECASE)


def _walk(doc: dict, node: object, seen: set[str]) -> list[str]:
    """Every property name reachable from ``node`` (following $refs)."""
    names: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            target = doc
            for part in ref.lstrip("#/").split("/"):
                target = target[part]
            names += _walk(doc, target, seen)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                names += list(value)
            names += _walk(doc, value, seen)
    elif isinstance(node, list):
        for item in node:
            names += _walk(doc, item, seen)
    return names


def test_agency_responses_have_no_biometric_field(app) -> None:
    doc = app.openapi()
    agency_ops = [(kr.path, m.lower()) for kr in keyed_routes(app) if kr.role == "agency"
                  for m in kr.methods]
    assert ("/v1/verify", "post") in agency_ops
    for path, method in agency_ops:
        responses = doc["paths"][path][method]["responses"]
        names = _walk(doc, responses, set())
        assert names, f"{method} {path} documents no response fields"
        leaked = sorted({n for n in names if BIOMETRIC.search(n)})
        assert not leaked, f"{method.upper()} {path} responses expose {leaked}"
    # The check has teeth: the station's enrollment request does carry biometric fields.
    enroll = doc["paths"]["/v1/enrollments"]["post"]["requestBody"]
    assert any(BIOMETRIC.search(n) for n in _walk(doc, enroll, set()))


def test_document_is_complete_and_errors_use_the_one_shape(app, client) -> None:
    doc = client.get("/openapi.json").json()
    for path, route in api_routes(app):
        for method in route.methods or ():
            op = doc["paths"][path][method.lower()]
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, code)
            if path not in PUBLIC_PATHS:
                assert {"401", "403", "429"} <= set(op["responses"]), path
                assert op["security"] == [{"bearer": []}]
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_docs_can_be_turned_off(engine, tmp_path: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path / "v", docs_enabled=False)
    with TestClient(create_app(settings, engine)) as client:
        for path in ("/docs", "/openapi.json", "/redoc"):
            assert client.get(path).status_code == 404
        assert client.get("/healthz").status_code == 200
