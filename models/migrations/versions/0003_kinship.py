"""vital records: deaths and reversals, births, marriages; heirs reports

Revision ID: 0003_kinship
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_kinship"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "death_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ack_id", sa.String(length=24), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reported_national_id", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("agency_name", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=False),
        sa.Column("date_of_death", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=8), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("cause_code", sa.String(length=8), nullable=True),
        sa.Column("attached_to_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("death_records", "person_id", "persons"),
        _fk("death_records", "agency_id", "agencies"),
        _fk("death_records", "attached_to_id", "death_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_death_records")),
        sa.UniqueConstraint("ack_id", name=op.f("uq_death_records_ack_id")),
        sa.UniqueConstraint("agency_id", "document_number",
                            name=op.f("uq_death_records_agency_id_document_number")),
    )
    op.create_index("ix_death_records_person_id", "death_records", ["person_id"])
    op.create_index("ix_death_records_attached", "death_records", ["attached_to_id"])

    op.create_table(
        "death_reversals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("death_record_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("judgment_reference", sa.String(length=64), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=True),
        sa.Column("judgment_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("agency_name", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("death_reversals", "death_record_id", "death_records"),
        _fk("death_reversals", "person_id", "persons"),
        _fk("death_reversals", "agency_id", "agencies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_death_reversals")),
        sa.UniqueConstraint("death_record_id", name=op.f("uq_death_reversals_death_record_id")),
    )
    op.create_index("ix_death_reversals_person_id", "death_reversals", ["person_id"])

    op.create_table(
        "births",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("mother_id", sa.Integer(), nullable=True),
        sa.Column("father_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("births", "child_id", "persons"),
        _fk("births", "mother_id", "persons"),
        _fk("births", "father_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_births")),
        sa.UniqueConstraint("child_id", name=op.f("uq_births_child_id")),
    )
    op.create_index("ix_births_mother_id", "births", ["mother_id"])
    op.create_index("ix_births_father_id", "births", ["father_id"])

    op.create_table(
        "marriages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("husband_id", sa.Integer(), nullable=False),
        sa.Column("wife_id", sa.Integer(), nullable=False),
        sa.Column("contract_date", sa.Date(), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("marriages", "husband_id", "persons"),
        _fk("marriages", "wife_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marriages")),
        sa.UniqueConstraint("husband_id", "wife_id", "contract_date",
                            name=op.f("uq_marriages_husband_id_wife_id_contract_date")),
    )
    op.create_index("ix_marriages_husband_id", "marriages", ["husband_id"])
    op.create_index("ix_marriages_wife_id", "marriages", ["wife_id"])

    op.create_table(
        "heirs_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=24), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("agency_name", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("deceased_person_id", sa.Integer(), nullable=False),
        sa.Column("case_reference", sa.String(length=64), nullable=True),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("heirs_reports", "agency_id", "agencies"),
        _fk("heirs_reports", "deceased_person_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heirs_reports")),
        sa.UniqueConstraint("report_id", name=op.f("uq_heirs_reports_report_id")),
    )
    op.create_index("ix_heirs_reports_agency_id", "heirs_reports", ["agency_id"])
    op.create_index("ix_heirs_reports_deceased_person_id", "heirs_reports",
                    ["deceased_person_id"])
    op.create_index("ix_persons_merged_into", "persons", ["merged_into_id"])


def downgrade() -> None:
    op.drop_index("ix_persons_merged_into", table_name="persons")
    for table in ("heirs_reports", "marriages", "births", "death_reversals", "death_records"):
        op.drop_table(table)
