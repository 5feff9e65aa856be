"""raqibni for citizens: complaints filed on the public page (no person kept), their spent
proof-of-work challenge, and the optional photo (re-encoded, no metadata)

Revision ID: 0023_raqibni
Revises: 0022_ration_proposals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_raqibni"
down_revision = "0022_ration_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ration_complaints") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("channel", sa.String(8), nullable=False,
                                   server_default="portal"))
        batch.add_column(sa.Column("challenge", sa.String(40), nullable=True))
        batch.create_unique_constraint("uq_ration_complaints_challenge", ["challenge"])
    op.create_table(
        "ration_complaint_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ration_complaint_photos"),
        sa.ForeignKeyConstraint(["complaint_id"], ["ration_complaints.id"],
                                name="fk_ration_complaint_photos_complaint_id_ration_complaints"),
        sa.UniqueConstraint("complaint_id", name="uq_ration_complaint_photos_complaint_id"),
    )


def downgrade() -> None:
    op.drop_table("ration_complaint_photos")
    with op.batch_alter_table("ration_complaints") as batch:
        batch.drop_constraint("uq_ration_complaints_challenge", type_="unique")
        batch.drop_column("challenge")
        batch.drop_column("channel")
