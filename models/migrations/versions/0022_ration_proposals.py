"""ration proposals: what a death, a birth, a marriage or a divorce proposes for a card, and
the staff task deciding it

Revision ID: 0022_ration_proposals
Revises: 0021_nationality
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_ration_proposals"
down_revision = "0021_nationality"
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=f"fk_ration_proposals_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "ration_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("from_household_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("about_person_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("decided_at", _NOW, nullable=True),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ration_proposals"),
        _fk("household_id", "ration_households"), _fk("from_household_id", "ration_households"),
        _fk("person_id", "persons"), _fk("about_person_id", "persons"),
    )
    for column in ("household_id", "from_household_id", "person_id", "state"):
        op.create_index(f"ix_ration_proposals_{column}", "ration_proposals", [column])


def downgrade() -> None:
    op.drop_table("ration_proposals")
