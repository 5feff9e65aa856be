"""Schemathesis against the live OpenAPI document: every operation, with station, agency and
admin keys; no 5xx and no response that breaks its documented schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from identity.access.keys import SCOPES
from identity.platform.settings import Settings

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
MAX_EXAMPLES = 8
AGENCY_SCOPES = sorted(s for s in SCOPES if s not in ("enroll", "admin"))


def _fuzz(operation, headers: dict[str, str]):
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


@pytest.fixture
def live(sqlite_engine, tmp_path: Path):
    cfg = Settings(environment="test", data_dir=tmp_path / "var", rate_limit_per_minute=100_000,
                   max_image_pixels=512 * 512)
    app = create_app(cfg, sqlite_engine)
    with TestClient(app):  # runs the lifespan
        yield app


def test_schemathesis_finds_no_server_error_nor_schema_violation(live, make_key,
                                                                 sqlite_engine) -> None:
    keys = {
        "station": make_key("station", name="st-fuzz"),
        "agency": make_key("agency", name="ag-fuzz", scopes=AGENCY_SCOPES),
        "admin": make_key("admin", name="admin-fuzz"),
    }
    schema = schemathesis.openapi.from_asgi("/openapi.json", live)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 7
    failures: list[str] = []
    for operation in operations:
        for role, key in keys.items():
            try:
                _fuzz(operation, {"Authorization": f"Bearer {key}"})()
            except Exception as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label} as {role}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
