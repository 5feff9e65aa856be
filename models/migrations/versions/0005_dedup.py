"""dedup: duplicate cases, their candidates, pairs declared distinct

Revision ID: 0005_dedup
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_dedup"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duplicate_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("birthplace", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("best_llr", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollments.id"],
                                name=op.f("fk_duplicate_cases_enrollment_id_enrollments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_cases")),
        sa.UniqueConstraint("enrollment_id", name=op.f("uq_duplicate_cases_enrollment_id")),
    )
    for col in ("station_id", "birthplace", "status"):
        op.create_index(op.f(f"ix_duplicate_cases_{col}"), "duplicate_cases", [col])
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("llr", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("face_distance", sa.Float(), nullable=True),
        sa.Column("finger_scores", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["duplicate_cases.id"],
                                name=op.f("fk_duplicate_candidates_case_id_duplicate_cases")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_duplicate_candidates_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidates")),
        sa.UniqueConstraint("case_id", "person_id", name=op.f("uq_duplicate_candidates_case_id")),
    )
    op.create_index(op.f("ix_duplicate_candidates_case_id"), "duplicate_candidates", ["case_id"])
    op.create_table(
        "distinct_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_low", sa.Integer(), nullable=False),
        sa.Column("person_high", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_low"], ["persons.id"],
                                name=op.f("fk_distinct_pairs_person_low_persons")),
        sa.ForeignKeyConstraint(["person_high"], ["persons.id"],
                                name=op.f("fk_distinct_pairs_person_high_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distinct_pairs")),
        sa.UniqueConstraint("person_low", "person_high", name=op.f("uq_distinct_pairs_person_low")),
    )


def downgrade() -> None:
    op.drop_table("distinct_pairs")
    op.drop_index(op.f("ix_duplicate_candidates_case_id"), table_name="duplicate_candidates")
    op.drop_table("duplicate_candidates")
    for col in ("station_id", "birthplace", "status"):
        op.drop_index(op.f(f"ix_duplicate_cases_{col}"), table_name="duplicate_cases")
    op.drop_table("duplicate_cases")
