"""integrity: posteriors on duplicate cases, packet kinds and exceptions, demographic keys

Revision ID: 0010_integrity
Revises: 0009_decision_unit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_integrity"
down_revision = "0009_decision_unit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("duplicate_cases") as batch:
        batch.add_column(sa.Column("p_existing", sa.Float(), nullable=True))
    with op.batch_alter_table("duplicate_candidates") as batch:
        batch.add_column(sa.Column("demographic_llr", sa.Float(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("posterior", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("identical", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="full"))
        batch.add_column(sa.Column("exception", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("parents", sa.JSON(), nullable=True))
        batch.create_index("ix_enrollments_status", ["status"])
    op.create_table(
        "name_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(420), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey(
            "persons.id", name="fk_name_keys_person_id_persons"), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), sa.ForeignKey(
            "enrollments.id", name="fk_name_keys_enrollment_id_enrollments"), nullable=True),
    )
    op.create_index("ix_name_keys_key", "name_keys", ["key"])
    op.create_index("ix_name_keys_person_id", "name_keys", ["person_id"])
    op.create_index("ix_name_keys_enrollment_id", "name_keys", ["enrollment_id"])


def downgrade() -> None:
    op.drop_table("name_keys")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_index("ix_enrollments_status")
        batch.drop_column("parents")
        batch.drop_column("exception")
        batch.drop_column("kind")
    with op.batch_alter_table("duplicate_candidates") as batch:
        batch.drop_column("identical")
        batch.drop_column("posterior")
        batch.drop_column("demographic_llr")
    with op.batch_alter_table("duplicate_cases") as batch:
        batch.drop_column("p_existing")
