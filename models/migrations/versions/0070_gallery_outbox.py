"""the shared gallery's outbox and clock (several deciders on Milvus)

Revision ID: 0070_gallery_outbox
Revises: 0060_devices
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0070_gallery_outbox"
down_revision = "0060_devices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gallery_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_id", sa.Integer(), nullable=True),
        sa.Column("add_ids", sa.JSON(), nullable=False),
        sa.Column("remove_ids", sa.JSON(), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_gallery_outbox_first_id", "gallery_outbox", ["first_id"])
    op.create_index("ix_gallery_outbox_created_at", "gallery_outbox", ["created_at"])
    op.create_table(
        "gallery_clock",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("applied_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gallery_clock")
    op.drop_index("ix_gallery_outbox_created_at", "gallery_outbox")
    op.drop_index("ix_gallery_outbox_first_id", "gallery_outbox")
    op.drop_table("gallery_outbox")
