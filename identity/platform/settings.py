"""The one settings object of the service (env prefix ``HAWIYA_``); read nowhere else."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "dev", "development", "placeholder"}
_DEV_SECRET = "hawiya-development-secret-not-for-production"  # noqa: S105 (refused in prod)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAWIYA_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    secret_key: SecretStr = SecretStr(_DEV_SECRET)
    test_data: Path = Path("../shared/data")

    # Request limits (bytes / pixels / counts).
    max_request_bytes: int = 40 * 1024 * 1024
    max_image_bytes: int = 4 * 1024 * 1024
    max_image_pixels: int = 4096 * 4096
    max_page_size: int = 200

    # Threads one 1:N search spreads its index calls over (searches are serialised anyway).
    search_threads: int = 2

    # Longest wait for a database lock (SQLite busy_timeout, PostgreSQL lock_timeout); past it
    # the request answers 503 with Retry-After.
    db_lock_timeout_seconds: float = 30.0

    # Extraction (identity.biometrics.extraction_pool): worker processes (None: 2, or 0 -- in
    # the request's thread -- when environment is "test"), jobs waiting beyond them before a
    # 503 extraction_busy, seconds a sample may take before its worker is killed, the resident
    # size past which a worker is replaced, and the LEADER runtime (auto: cuda > openvino).
    extract_workers: int | None = None
    extract_queue: int = 8
    extract_sample_budget_s: float = 10.0
    extract_worker_max_rss_mb: float = 1500.0
    leader_backend: Literal["auto", "openvino", "onnxruntime", "cuda"] = "auto"

    # The deciding lease: seconds a deciding process holds it without renewing (after a crash
    # another process may decide this long after the last renewal).
    decider_lease_seconds: float = 30.0

    # Agency protection.
    verify_lock_failures: int = 5
    verify_lock_seconds: int = 900
    # Verify lock across agencies: failed verifies of one person by all agencies together.
    verify_lock_person_failures: int = 10
    rate_limit_per_minute: int = 600  # per key (and per agency on the agency routes)
    # Requests with an unknown/revoked/malformed key, and failed workbench sign-ins, per client
    # address and minute; past it that address gets 429 before any key lookup.
    auth_failures_per_minute: int = 30
    rate_limit_buckets: int = 100_000  # buckets kept per limiter (least recently used evicted)

    # Admin workbench.
    merge_needs_two_admins: bool = False
    # /docs and /openapi.json: on in development and test, off in production unless set.
    docs_enabled: bool | None = None
    admin_session_minutes: int = 120  # workbench sign-in lifetime (absolute)
    admin_cookie_secure: bool = True  # the session cookie is sent over HTTPS only

    # Ration card: grace window between a recorded death and the suspension.
    ration_death_grace_days: int = 0

    # Raqibni, the public complaints page: per-address limits (per process, in memory), the
    # proof-of-work challenge (leading zero bits of SHA-256; 18 ≈ 0.3-2 s on a phone) and its
    # lifetime, and the largest photo accepted (bytes; it is re-encoded smaller).
    raqibni_files_per_hour: int = 5
    raqibni_reads_per_minute: int = 30
    raqibni_pow_bits: int = 18
    raqibni_pow_ttl_seconds: int = 1800
    raqibni_max_photo_bytes: int = 3 * 1024 * 1024

    # Kinship and heirs: the rule set when the marriage regime names none; bulk-load limits;
    # plausible parent ages at a child's birth (years).
    heirs_default_rules: Literal["sunni", "jafari", "iraq"] = "iraq"
    kinship_max_csv_bytes: int = 5 * 1024 * 1024
    kinship_max_csv_rows: int = 5_000
    kinship_min_parent_age: int = 12
    kinship_max_mother_age: int = 60
    kinship_max_father_age: int = 90
    kinship_min_marriage_age: int = 15

    # Enrollment stations: how old a device-signed capture may be when its packet arrives (an
    # offline office sends its queue later), the clock skew tolerated the other way, and whether
    # every sample must be device-signed (or a webcam face with its liveness challenge).
    capture_max_age_hours: float = 72.0
    capture_clock_skew_seconds: float = 300.0
    require_attested_captures: bool = False

    # The 1:N gallery: the in-process FAISS indexes (one deciding process per database), or
    # Milvus (``pip install 'hawiya[milvus]'``), shared by every deciding and serving process.
    gallery_engine: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_prefix: str = "hawiya"  # collection names: PREFIX_face, PREFIX_finger_P, ...

    # A read replica for agencies' reads (verify, persons, events); unset: the primary.
    database_read_url: str | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        value = self.secret_key.get_secret_value()
        if self.environment == "production" and (
            value.strip().lower() in _PLACEHOLDERS or value == _DEV_SECRET or len(value) < 32
        ):
            raise ValueError(
                "HAWIYA_SECRET_KEY must be set to a random value of 32+ characters in production"
            )
        return self

    @property
    def docs_on(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment != "production"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hawiya.db').as_posix()}"

    @property
    def extraction_workers(self) -> int:
        if self.extract_workers is not None:
            return max(0, self.extract_workers)
        return 0 if self.environment == "test" else 2

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
