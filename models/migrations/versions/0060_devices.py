"""devices: registered capture devices, attested captures; birthplaces as ISO codes

Revision ID: 0060_devices
Revises: 0010_integrity

Birthplaces were stored as English governorate names ("Baghdad"); they become ISO 3166-2:IQ
codes ("IQ-BG") in persons, duplicate cases and enrollment packets. The downgrade maps them back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0060_devices"
down_revision = "0010_integrity"
branch_labels = None
depends_on = None

# The governorate names the registry stored before codes (identity.registry.schemas).
NAMES = {
    "Baghdad": "IQ-BG", "Basra": "IQ-BA", "Nineveh": "IQ-NI", "Erbil": "IQ-AR",
    "Sulaymaniyah": "IQ-SU", "Duhok": "IQ-DA", "Kirkuk": "IQ-KI", "Anbar": "IQ-AN",
    "Babil": "IQ-BB", "Karbala": "IQ-KA", "Najaf": "IQ-NA", "Qadisiyyah": "IQ-QA",
    "Wasit": "IQ-WA", "Maysan": "IQ-MA", "Dhi Qar": "IQ-DQ", "Muthanna": "IQ-MU",
    "Diyala": "IQ-DI", "Saladin": "IQ-SD", "Halabja": "IQ-HA",
}


def _recode(mapping: dict[str, str]) -> None:
    conn = op.get_bind()
    for table in ("persons", "duplicate_cases"):
        t = sa.table(table, sa.column("birthplace", sa.String))
        for old, new in mapping.items():
            conn.execute(t.update().where(t.c.birthplace == old).values(birthplace=new))
    enrollments = sa.table("enrollments", sa.column("id", sa.Integer),
                           sa.column("demographics", sa.JSON))
    rows = conn.execute(sa.select(enrollments.c.id, enrollments.c.demographics)).all()
    for row_id, demo in rows:
        if isinstance(demo, dict) and demo.get("birthplace") in mapping:
            conn.execute(enrollments.update().where(enrollments.c.id == row_id).values(
                demographics={**demo, "birthplace": mapping[demo["birthplace"]]}))


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("make", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("sub_type", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("cert_sha256", sa.String(64), nullable=False),
        sa.Column("registered_by", sa.String(120), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("serial", name="uq_devices_serial"),
        sa.UniqueConstraint("cert_sha256", name="uq_devices_cert_sha256"),
    )
    op.create_table(
        "capture_attestations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("station_id", sa.String(64), nullable=False),
        sa.Column("capture_id", sa.String(64), nullable=False),
        sa.Column("sample", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("device_id", sa.Integer(),
                  sa.ForeignKey("devices.id", name="fk_capture_attestations_device_id_devices"),
                  nullable=True),
        sa.Column("transaction_id", sa.String(64), nullable=True),
        sa.Column("bio_sub_type", sa.String(32), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("sample_sha256", sa.String(64), nullable=False),
        sa.Column("liveness", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("device_id", "transaction_id", "bio_sub_type",
                            name="uq_capture_attestations_device_id_transaction_id_bio_sub_type"),
    )
    op.create_index("ix_capture_attestations_station_id", "capture_attestations",
                    ["station_id"])
    op.create_index("ix_capture_attestations_device_id", "capture_attestations", ["device_id"])
    _recode(NAMES)


def downgrade() -> None:
    _recode({code: name for name, code in NAMES.items()})
    op.drop_table("capture_attestations")
    op.drop_table("devices")
