"""Keys and scopes, generated from the route table: each role/scope reaches exactly its routes."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from api.app import PUBLIC_PATHS
from identity.access.keys import revoke_key
from identity.platform.db import session_factory
from identity.platform.settings import Settings
from tests.conftest import bearer

AGENCY_SCOPES = ("verify", "deaths", "heirs", "ration", "events")
# Modules that search the whole gallery (1:N); no agency route may reach them.
GALLERY_SEARCH = ("matching.vector_index", "matching.fingerprint.index", "enrollment.dedup")
ROOT = Path(__file__).resolve().parents[2]


def _valid_nid() -> str:
    from identity.registry import national_id

    return national_id.draw()


def requirements(route: APIRoute) -> tuple[str, str | None] | None:
    """The (role, scope) the route's principal dependency demands, or None."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        role = getattr(dep.call, "required_role", None)
        if role is not None:
            return role, getattr(dep.call, "required_scope", None)
        stack.extend(dep.dependencies)
    return None


@dataclass(frozen=True)
class KeyedRoute:
    path: str  # with the router prefix
    methods: frozenset[str]
    route: APIRoute
    role: str
    scope: str | None


def api_routes(app) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers."""
    return [(str(ctx.path), ctx.original_route) for ctx in iter_route_contexts(app.routes)
            if isinstance(ctx.original_route, APIRoute)]


def keyed_routes(app) -> list[KeyedRoute]:
    out = []
    for path, route in api_routes(app):
        req = requirements(route)
        if path in PUBLIC_PATHS:
            assert req is None, f"{path} is public but names a principal"
            continue
        assert req is not None, f"{path} names no principal and is not public"
        out.append(KeyedRoute(path, frozenset(route.methods or ()), route, *req))
    return out


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """These tests present hundreds of bad keys from one address: lift that address budget
    (its own test is in ``test_gate.py``)."""
    return Settings(environment="test", data_dir=tmp_path / "var",
                    auth_failures_per_minute=100_000)


def _url(path: str, nid: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: nid if "national_id" in m[1] else "1", path)


def test_every_route_names_a_principal_or_is_public(app) -> None:
    routes = keyed_routes(app)
    assert {r.path for r in routes} >= {"/v1/verify", "/v1/events", "/v1/enrollments"}
    assert {path for path, _ in api_routes(app)} >= PUBLIC_PATHS


@pytest.fixture
def keys(make_key) -> dict[tuple[str, str | None], str]:
    out: dict[tuple[str, str | None], str] = {
        ("station", None): make_key("station", name="st-scope"),
        ("admin", None): make_key("admin", name="admin-scope"),
    }
    for scope in AGENCY_SCOPES:
        out[("agency", scope)] = make_key("agency", name=f"ag-{scope}", scopes=[scope])
    return out


def test_each_scope_allows_exactly_its_routes(app, client, keys) -> None:
    nid = _valid_nid()
    for kr in keyed_routes(app):
        role, scope = kr.role, kr.scope
        for method in kr.methods:
            url = _url(kr.path, nid)
            for (krole, kscope), key in keys.items():
                resp = client.request(method, url, headers=bearer(key))
                allowed = krole == role and (scope is None or kscope == scope)
                what = f"{method} {kr.path} with {krole}/{kscope}: {resp.status_code}"
                assert resp.status_code < 500, what
                if allowed:
                    assert resp.status_code not in (401, 403), what
                else:
                    assert resp.status_code == 403, what
                    assert resp.json()["error"]["code"] in ("wrong_role", "missing_scope")


def test_unknown_malformed_missing_and_revoked_keys_get_401(app, client, make_key,
                                                            engine) -> None:
    nid = _valid_nid()
    key = make_key("admin", name="admin-revoke")
    routes = keyed_routes(app)
    bad = [None, "hwk_000000000000_" + "A" * 43, "not-a-key", key[:-1] + "x"]
    for kr in routes:
        for method in kr.methods:
            for candidate in bad:
                headers = bearer(candidate) if candidate else {}
                resp = client.request(method, _url(kr.path, nid), headers=headers)
                assert resp.status_code == 401, (kr.path, candidate, resp.text)
                assert resp.json()["error"]["code"] in ("missing_key", "invalid_key")
    ok = client.get(f"/v1/persons/{nid}", headers=bearer(key))
    assert ok.status_code == 404
    with session_factory(engine)() as s:
        from sqlalchemy import select

        from models.security import ApiKey

        key_id = s.scalars(select(ApiKey.id).where(ApiKey.name == "admin-revoke")).one()
        revoke_key(s, key_id)
    revoked = client.get(f"/v1/persons/{nid}", headers=bearer(key))
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "invalid_key"


def _imports(module_name: str) -> set[str]:
    """Project modules imported (transitively) by ``module_name``, read from the source."""
    seen: set[str] = set()
    todo = [module_name]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.origin is None or not spec.origin.endswith(".py") \
                or not (ROOT / name.split(".")[0]).is_dir() \
                or not spec.origin.startswith(str(ROOT / name.split(".")[0])):
            continue
        tree = ast.parse(Path(spec.origin).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                todo.extend(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                todo.append(node.module)
                todo.extend(f"{node.module}.{a.name}" for a in node.names)
    return seen


def test_no_agency_route_reaches_gallery_search(app) -> None:
    agency_routes = [kr for kr in keyed_routes(app) if kr.role == "agency"]
    assert any(kr.path == "/v1/verify" for kr in agency_routes)
    for kr in agency_routes:
        route = kr.route
        module = inspect.getmodule(route.endpoint)
        assert module is not None and module.__name__ in sys.modules
        reached = _imports(module.__name__)
        searched = sorted(m for m in reached if m.startswith(GALLERY_SEARCH))
        assert not searched, f"{kr.path} reaches 1:N search through {searched}"
        # A biometric upload on an agency route is always checked against one named ID.
        fields = {p.name for p in route.dependant.body_params}
        if fields & {"face", *(f"finger_{i}" for i in range(1, 11))}:
            assert any("national_id" in f for f in fields), f"{kr.path}: biometrics, no ID"
