"""Shared fixtures: a fresh migrated database per test (SQLite, and the real PostgreSQL that
``make test`` starts; each a copy of one database migrated once per run), the app on it, keys
of each role, and the shared test data folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

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


def _migrated_sqlite(template: Path, tmp_path: Path) -> Engine:
    """A copy of the run's migrated SQLite file: the schema every test starts from, without
    running the migrations again (0.3 s a test)."""
    path = tmp_path / "hawiya.db"
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}")


def _migrated_postgres(template: str) -> Engine:
    """A fresh database on the test server cloned from the run's migrated template database
    (``CREATE DATABASE ... TEMPLATE``: ~0.07 s against ~0.7 s for dropping and migrating)."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("HAWIYA_TEST_POSTGRES_URL is unset in CI: make test starts PostgreSQL")
        pytest.skip("no PostgreSQL (run through `make test`, or set HAWIYA_TEST_POSTGRES_URL)")
    name = f"hawiya_t{os.getpid()}"
    with _pg_admin() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return make_engine(_pg_url(name))


def _pg_url(database: str) -> str:
    assert POSTGRES_URL
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


@contextmanager
def _pg_admin() -> Iterator[Connection]:
    """An autocommit connection to the test server's own database (for CREATE/DROP DATABASE)."""
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            yield conn
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from identity.platform.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "hawiya.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    """The run's migrated template database on the test server, dropped at the end."""
    from identity.platform.migrate import upgrade

    if not POSTGRES_URL:
        yield ""
        return
    name = f"hawiya_template{os.getpid()}"
    with _pg_admin() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(_pg_url(name))
    upgrade(eng)
    eng.dispose()
    yield name
    with _pg_admin() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "hawiya_t{os.getpid()}" WITH (FORCE)'))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _fresh_engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    if backend == "sqlite":
        return _migrated_sqlite(request.getfixturevalue("_sqlite_template"), tmp_path)
    return _migrated_postgres(request.getfixturevalue("_postgres_template"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    eng = _fresh_engine(backend, tmp_path, request)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """SQLite only, for tests that are about logic rather than storage."""
    eng = _fresh_engine("sqlite", tmp_path, request)
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


@pytest.fixture(autouse=True)
def _stop_milvus_drainers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every Milvus gallery a test loads stops its outbox drainer when the test ends: a
    drainer left running would apply the next tests' outbox rows (their databases reuse one
    name) and, after the run, retry against a dropped database."""
    if not MILVUS_URI:
        yield
        return
    from identity.biometrics.milvus_gallery import MilvusGallery

    loaded: list[MilvusGallery] = []
    real_load = MilvusGallery.load

    def load(self: MilvusGallery, *args: object, **kwargs: object) -> None:
        loaded.append(self)
        real_load(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MilvusGallery, "load", load)
    yield
    for gallery in loaded:
        gallery._stop.set()


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
