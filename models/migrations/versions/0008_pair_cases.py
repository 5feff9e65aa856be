"""pair cases: an enrollment may be the packet side of several duplicate cases

A held packet decided to be person A that also matched person B at the match band raises an
A-B case on the same enrollment, so ``duplicate_cases.enrollment_id`` is no longer unique
(it keeps an index for the lookups).

Revision ID: 0008_pair_cases
Revises: 0006_workbench
"""

from __future__ import annotations

from alembic import op

revision = "0008_pair_cases"
down_revision = "0006_workbench"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("duplicate_cases") as batch:
        batch.drop_constraint(op.f("uq_duplicate_cases_enrollment_id"), type_="unique")
        batch.create_index(op.f("ix_duplicate_cases_enrollment_id"), ["enrollment_id"])


def downgrade() -> None:
    with op.batch_alter_table("duplicate_cases") as batch:
        batch.drop_index(op.f("ix_duplicate_cases_enrollment_id"))
        batch.create_unique_constraint(op.f("uq_duplicate_cases_enrollment_id"),
                                       ["enrollment_id"])
