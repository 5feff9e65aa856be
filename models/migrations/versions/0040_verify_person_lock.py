"""verify person lock: failed verifies of one person counted across all agencies

Revision ID: 0040_verify_person_lock
Revises: 0010_integrity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040_verify_person_lock"
down_revision = "0010_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verify_person_locks",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_verify_person_locks_person_id_persons")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_verify_person_locks")),
    )


def downgrade() -> None:
    op.drop_table("verify_person_locks")
