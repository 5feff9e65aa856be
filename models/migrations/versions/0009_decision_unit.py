"""decision unit: the deciding lease; duplicate-case candidates that are held packets

Revision ID: 0009_decision_unit
Revises: 0008_pair_cases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_decision_unit"
down_revision = "0008_pair_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decider_leases",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("duplicate_candidates") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("held_enrollment_id", sa.Integer(),
                                   sa.ForeignKey("enrollments.id",
                                                 name="fk_duplicate_candidates_held_enrollment_id_enrollments"),
                                   nullable=True))
        batch.create_unique_constraint("uq_duplicate_candidates_case_id_held",
                                       ["case_id", "held_enrollment_id"])


def downgrade() -> None:
    with op.batch_alter_table("duplicate_candidates") as batch:
        batch.drop_constraint("uq_duplicate_candidates_case_id_held", type_="unique")
        batch.drop_column("held_enrollment_id")
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("decider_leases")
