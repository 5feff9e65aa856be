"""workbench: case decisions, merge records (for unmerge), admin sign-in sessions

Revision ID: 0006_workbench
Revises: 0005_dedup (its tables reference duplicate_cases)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_workbench"
down_revision = "0005_dedup"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _fk(table: str, col: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{col}_{target}"))


def upgrade() -> None:
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("target_person_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=120), nullable=False),
        sa.Column("proposed_key_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("confirmed_key_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("applied_at", _TZ, nullable=True),
        _fk("case_decisions", "case_id", "duplicate_cases"),
        _fk("case_decisions", "target_person_id", "persons"),
        _fk("case_decisions", "proposed_key_id", "api_keys"),
        _fk("case_decisions", "confirmed_key_id", "api_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_decisions")),
    )
    op.create_index(op.f("ix_case_decisions_case_id"), "case_decisions", ["case_id"])
    op.create_table(
        "merge_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("absorbed_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("survivor_national_id", sa.String(length=12), nullable=False),
        sa.Column("absorbed_national_id", sa.String(length=12), nullable=False),
        sa.Column("national_ids", sa.JSON(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("absorbed_before", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_by", sa.String(length=120), nullable=False),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("unmerged_by", sa.String(length=120), nullable=True),
        sa.Column("unmerge_reason", sa.String(length=2000), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("unmerged_at", _TZ, nullable=True),
        _fk("merge_records", "survivor_id", "persons"),
        _fk("merge_records", "absorbed_id", "persons"),
        _fk("merge_records", "case_id", "duplicate_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_records")),
    )
    op.create_index(op.f("ix_merge_records_survivor_id"), "merge_records", ["survivor_id"])
    op.create_index(op.f("ix_merge_records_absorbed_id"), "merge_records", ["absorbed_id"])
    op.create_table(
        "admin_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        _fk("admin_sessions", "key_id", "api_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_admin_sessions_token_hash")),
    )
    op.create_index(op.f("ix_admin_sessions_key_id"), "admin_sessions", ["key_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_admin_sessions_key_id"), table_name="admin_sessions")
    op.drop_table("admin_sessions")
    op.drop_index(op.f("ix_merge_records_absorbed_id"), table_name="merge_records")
    op.drop_index(op.f("ix_merge_records_survivor_id"), table_name="merge_records")
    op.drop_table("merge_records")
    op.drop_index(op.f("ix_case_decisions_case_id"), table_name="case_decisions")
    op.drop_table("case_decisions")
