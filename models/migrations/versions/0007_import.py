"""import: batch-import jobs of legacy registers and their per-record outcomes

Revision ID: 0007_import
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_import"
down_revision = "0001"
branch_labels = None
depends_on = "0005_dedup"  # import_records.case_id references duplicate_cases


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("run_starts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("source", "register", name=op.f("uq_import_jobs_source")),
    )
    op.create_table(
        "import_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=300), nullable=False),
        sa.Column("legacy_number", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("best_llr", sa.Float(), nullable=True),
        sa.Column("extract_s", sa.Float(), nullable=False),
        sa.Column("search_s", sa.Float(), nullable=False),
        sa.Column("decide_s", sa.Float(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["import_jobs.id"],
                                name=op.f("fk_import_records_job_id_import_jobs")),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollments.id"],
                                name=op.f("fk_import_records_enrollment_id_enrollments")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_import_records_person_id_persons")),
        sa.ForeignKeyConstraint(["case_id"], ["duplicate_cases.id"],
                                name=op.f("fk_import_records_case_id_duplicate_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_records")),
        sa.UniqueConstraint("job_id", "record_key", name=op.f("uq_import_records_job_id")),
    )
    op.create_index(op.f("ix_import_records_job_id"), "import_records", ["job_id"])
    op.create_index(op.f("ix_import_records_status"), "import_records", ["status"])
    op.create_index(op.f("ix_import_records_person_id"), "import_records", ["person_id"])


def downgrade() -> None:
    op.drop_table("import_records")
    op.drop_table("import_jobs")
