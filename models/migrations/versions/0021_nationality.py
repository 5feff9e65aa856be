"""nationality on the person, fed by the nationality register (ICAO 9303 alpha-3 codes)

Revision ID: 0021_nationality
Revises: 0020_ration_law
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_nationality"
down_revision = "0020_ration_law"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("nationality", sa.String(3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("nationality")
