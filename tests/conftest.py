"""Shared fixtures: a fresh migrated database per test (SQLite, and the real PostgreSQL that
``make test`` starts), the app on it, keys of each role, and the shared test data folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from identity.platform.db import make_engine, session_factory
from identity.platform.settings import Settings, get_settings

POSTGRES_URL = os.environ.get("HAWIYA_TEST_POSTGRES_URL")
MILVUS_URI = os.environ.get("HAWIYA_TEST_MILVUS_URI")
# `make test` runs the identity suites a second time with HAWIYA_TEST_GALLERY_ENGINE=milvus.
GALLERY_ENGINE = os.environ.get("HAWIYA_TEST_GALLERY_ENGINE", "faiss")
# One set of collections per test run (creating and loading 13 collections takes ~40 s on a
# busy machine): each test's fresh database reconciles them, which empties them first.
MILVUS_PREFIX = f"test_{os.getpid()}_{os.urandom(3).hex()}"
NO_MILVUS = ("no Milvus server (run through `make test`, or `scripts/milvus.sh start DIR PORT` "
             "and set HAWIYA_TEST_MILVUS_URI)")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test data folder (``HAWIYA_TEST_DATA``); skips where it is absent."""
    path = Path(get_settings().test_data)
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set HAWIYA_TEST_DATA)")
    return path


def _fresh_engine(backend: str, tmp_path: Path) -> Engine:
    from identity.platform.migrate import upgrade

    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'hawiya.db'}")
    else:
        if not POSTGRES_URL:
            if os.environ.get("CI"):
                pytest.fail("HAWIYA_TEST_POSTGRES_URL is unset in CI: make test starts PostgreSQL")
            pytest.skip("no PostgreSQL (run through `make test`, or set HAWIYA_TEST_POSTGRES_URL)")
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    eng = _fresh_engine(backend, tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """SQLite only, for tests that are about logic rather than storage."""
    eng = _fresh_engine("sqlite", tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator:
    s = session_factory(engine)()
    yield s
    s.close()


@pytest.fixture(scope="session")
def milvus_uri() -> Iterator[str]:
    """The Milvus server ``make test`` starts; skips (with how to get one) where there is none.
    The run's collections are dropped at the end."""
    if not MILVUS_URI:
        if GALLERY_ENGINE == "milvus":
            pytest.fail("HAWIYA_TEST_GALLERY_ENGINE=milvus needs HAWIYA_TEST_MILVUS_URI")
        pytest.skip(NO_MILVUS)
    from identity.biometrics.milvus_store import Collections

    run = Collections(MILVUS_URI, MILVUS_PREFIX, alias="test-run")
    run.open()  # created once (slow); each test's gallery only opens and reconciles them
    yield MILVUS_URI
    run.drop()
    run.disconnect()


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The service's settings for a test; on the Milvus pass (``HAWIYA_TEST_GALLERY_ENGINE``)
    the gallery is the shared Milvus one."""
    extra: dict[str, object] = {}
    if GALLERY_ENGINE == "milvus":
        extra = {"gallery_engine": "milvus", "milvus_prefix": MILVUS_PREFIX,
                 "milvus_uri": request.getfixturevalue("milvus_uri")}
    return Settings(environment="test", data_dir=tmp_path / "var", **extra)  # type: ignore[arg-type]


@pytest.fixture
def app(engine: Engine, settings: Settings):
    from api.app import create_app

    return create_app(settings, engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


KeyFactory = Callable[..., str]


@pytest.fixture
def make_key(engine: Engine) -> KeyFactory:
    """``make_key("station", name="st-1")``; agency keys get their agency created on the fly."""
    from identity.access.keys import create_key

    def factory(role: str, *, name: str = "test", scopes: list[str] | None = None,
                agency: str | None = None) -> str:
        with session_factory(engine)() as s:
            agency_id = None
            if role == "agency":
                agency_id = _ensure_agency(s, agency or name, scopes or [])
            return create_key(s, role=role, name=name, scopes=scopes, agency_id=agency_id)

    return factory


def _ensure_agency(s, name: str, scopes: list[str]) -> int:
    import secrets

    from sqlalchemy import select

    from models.security import Agency

    row = s.scalars(select(Agency).where(Agency.name == name)).first()
    if row is None:
        row = Agency(name=name, scopes=sorted(scopes), pseudonym_salt=secrets.token_hex(16))
        s.add(row)
        s.commit()
    return row.id


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session", autouse=True)
def _memoize_extraction() -> Iterator[None]:
    """Real extraction, computed once per distinct image in a test run.

    The same FVC and face images are enrolled by many tests; LEADER and dlib give the same
    output for the same pixels, so each result is kept by the pixels' hash. Nothing is faked:
    every template still comes from the real networks.
    """
    import hashlib

    import matching.face as face_mod
    import matching.fingerprint as finger_mod

    real_extract = finger_mod.extract_templates
    real_encode = face_mod.encode_face
    finger_cache: dict[tuple[str, int], object] = {}
    face_cache: dict[str, object] = {}

    def key(img) -> str:
        return hashlib.sha256(img.tobytes() + str(img.shape).encode()).hexdigest()

    def extract_templates(images, dpis):  # type: ignore[no-untyped-def]
        keys = [(key(i), int(d)) for i, d in zip(images, dpis, strict=True)]
        todo = [n for n, k in enumerate(keys) if k not in finger_cache]
        if todo:
            fresh = real_extract([images[n] for n in todo], [dpis[n] for n in todo])
            for n, res in zip(todo, fresh, strict=True):
                finger_cache[keys[n]] = res
        return [finger_cache[k] for k in keys]

    def encode_face(rgb, box=None):  # type: ignore[no-untyped-def]
        if box is not None or not hasattr(rgb, "tobytes"):
            return real_encode(rgb, box=box)
        k = key(rgb)
        if k not in face_cache:
            try:
                face_cache[k] = real_encode(rgb)
            except face_mod.FaceQualityError as exc:
                face_cache[k] = exc
        res = face_cache[k]
        if isinstance(res, Exception):
            raise res
        return res

    finger_mod.extract_templates = extract_templates  # type: ignore[assignment]
    face_mod.encode_face = encode_face  # type: ignore[assignment]
    yield
    finger_mod.extract_templates = real_extract  # type: ignore[assignment]
    face_mod.encode_face = real_encode  # type: ignore[assignment]
