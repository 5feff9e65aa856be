"""import intake: records held for a clerk (incomplete demographics), flags on cards

Revision ID: 0050_import_intake
Revises: 0007_import (the import tables it refers to)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050_import_intake"
down_revision = "0007_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=300), nullable=False),
        sa.Column("legacy_number", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("as_read", sa.JSON(), nullable=False),
        sa.Column("completed", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("clerk", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["import_jobs.id"],
                                name=op.f("fk_import_holds_job_id_import_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_holds")),
        sa.UniqueConstraint("job_id", "record_key", name=op.f("uq_import_holds_job_id_record_key")),
    )
    op.create_index(op.f("ix_import_holds_job_id"), "import_holds", ["job_id"])
    op.create_table(
        "import_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["import_jobs.id"],
                                name=op.f("fk_import_flags_job_id_import_jobs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_flags")),
        sa.UniqueConstraint("job_id", "record_key", "code",
                            name=op.f("uq_import_flags_job_id_record_key_code")),
    )
    op.create_index(op.f("ix_import_flags_job_id"), "import_flags", ["job_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_import_flags_job_id"), table_name="import_flags")
    op.drop_table("import_flags")
    op.drop_index(op.f("ix_import_holds_job_id"), table_name="import_holds")
    op.drop_table("import_holds")
