"""agency access: verify locks, webhook cursors

Revision ID: 0002_agency
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_agency"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verify_locks",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_verify_locks_agency_id_agencies")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_verify_locks_person_id_persons")),
        sa.PrimaryKeyConstraint("agency_id", "person_id", name=op.f("pk_verify_locks")),
    )
    op.create_table(
        "webhook_cursors",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_webhook_cursors_agency_id_agencies")),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_webhook_cursors")),
    )


def downgrade() -> None:
    op.drop_table("webhook_cursors")
    op.drop_table("verify_locks")
