"""ration card: agents, households, members, rules, feeds, blocks, rounds, receipts, complaints

Revision ID: 0004_ration
Revises: 0001
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004_ration"
down_revision = "0001"
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)
_BASIS = "Cabinet decision in force 1 June 2021 (DOMAIN.md); VERIFY current text"
# The default rules (DOMAIN.md, "The ration card"); later versions are rows added by the ministry.
_RULES = [
    ("income", "household_if_head", False, 2_000_000, None, None,
     "monthly income threshold 2,000,000 IQD (raised 2025, VERIFY); " + _BASIS),
    ("tax", "household_if_head", False, 18_000_000, None, None,
     "taxpayers assessed above 18M IQD a year; " + _BASIS),
    ("contractor", "household_if_head", False, None, None, 6,
     "contractors up to grade 6; " + _BASIS),
    ("company_owner", "household_if_head", False, None, None, None, _BASIS),
    ("shareholder", "household_if_head", False, None, None, None, _BASIS),
    ("chamber_member", "household_if_head", False, None, None, None, _BASIS),
    ("medical_syndicate", "household_if_head", False, None, None, None, _BASIS),
    ("abroad", "member", True, None, 90, None,
     "abroad more than 3 months, until return; " + _BASIS),
    ("resident_abroad", "member", False, None, None, None, _BASIS),
    ("prison", "member", True, None, None, None, "prison inmates until release; " + _BASIS),
]


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(table: str, column: str, target: str, target_col: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.{target_col}"],
                                   name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "ration_agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence", sa.String(32), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("governorate", sa.String(50), nullable=False),
        sa.Column("centre", sa.String(64), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        _pk("ration_agents"), _fk("ration_agents", "key_id", "api_keys"),
        sa.UniqueConstraint("licence", name="uq_ration_agents_licence"),
        sa.UniqueConstraint("key_id", name="uq_ration_agents_key_id"),
    )
    op.create_table(
        "ration_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_number", sa.String(16), nullable=False),
        sa.Column("governorate", sa.String(50), nullable=False),
        sa.Column("centre", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        _pk("ration_households"), _fk("ration_households", "agent_id", "ration_agents"),
        sa.UniqueConstraint("card_number", name="uq_ration_households_card_number"),
    )
    op.create_index("ix_ration_households_governorate", "ration_households", ["governorate"])
    op.create_table(
        "ration_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("authorised", sa.Boolean(), nullable=False),
        sa.Column("joined_at", _NOW, nullable=False),
        sa.Column("left_at", _NOW, nullable=True),
        sa.Column("left_reason", sa.String(200), nullable=True),
        sa.Column("transferred_to_id", sa.Integer(), nullable=True),
        _pk("ration_members"), _fk("ration_members", "household_id", "ration_households"),
        _fk("ration_members", "person_id", "persons"),
        _fk("ration_members", "transferred_to_id", "ration_households"),
    )
    op.create_index("ix_ration_members_household_id", "ration_members", ["household_id"])
    op.create_index("ix_ration_members_person_id", "ration_members", ["person_id"])
    op.create_index("uq_ration_members_active_person", "ration_members", ["person_id"],
                    unique=True, sqlite_where=sa.text("left_at IS NULL"),
                    postgresql_where=sa.text("left_at IS NULL"))
    op.create_table(
        "ration_household_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("from_centre", sa.String(64), nullable=False),
        sa.Column("to_centre", sa.String(64), nullable=False),
        sa.Column("from_governorate", sa.String(50), nullable=False),
        sa.Column("to_governorate", sa.String(50), nullable=False),
        sa.Column("from_agent_id", sa.Integer(), nullable=True),
        sa.Column("to_agent_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("at", _NOW, nullable=False),
        _pk("ration_household_moves"),
        _fk("ration_household_moves", "household_id", "ration_households"),
        _fk("ration_household_moves", "from_agent_id", "ration_agents"),
        _fk("ration_household_moves", "to_agent_id", "ration_agents"),
    )
    op.create_index("ix_ration_household_moves_household_id", "ration_household_moves",
                    ["household_id"])
    rules = op.create_table(
        "ration_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("temporary", sa.Boolean(), nullable=False),
        sa.Column("threshold_iqd", sa.BigInteger(), nullable=True),
        sa.Column("min_days", sa.Integer(), nullable=True),
        sa.Column("max_grade", sa.Integer(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("basis", sa.String(200), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        _pk("ration_rules"),
    )
    op.create_index("ix_ration_rules_category", "ration_rules", ["category"])
    op.create_table(
        "ration_feed_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("batch_ref", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("received_at", _NOW, nullable=False),
        _pk("ration_feed_batches"),
        sa.UniqueConstraint("agency", "kind", "batch_ref",
                            name="uq_ration_feed_batches_agency_kind_batch_ref"),
    )
    op.create_table(
        "ration_feed_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("national_id", sa.String(12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        _pk("ration_feed_rows"), _fk("ration_feed_rows", "batch_id", "ration_feed_batches"),
        _fk("ration_feed_rows", "person_id", "persons"),
    )
    op.create_index("ix_ration_feed_rows_batch_id", "ration_feed_rows", ["batch_id"])
    op.create_index("ix_ration_feed_rows_person_id", "ration_feed_rows", ["person_id"])
    op.create_table(
        "ration_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("temporary", sa.Boolean(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("feed_row_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("lifted_at", _NOW, nullable=True),
        sa.Column("lifted_by", sa.String(16), nullable=True),
        sa.Column("lift_reason", sa.String(500), nullable=True),
        sa.Column("lift_feed_row_id", sa.Integer(), nullable=True),
        sa.Column("lift_event_id", sa.Integer(), nullable=True),
        sa.Column("lifted_actor", sa.String(120), nullable=True),
        _pk("ration_blocks"), _fk("ration_blocks", "person_id", "persons"),
        _fk("ration_blocks", "rule_id", "ration_rules"),
        _fk("ration_blocks", "feed_row_id", "ration_feed_rows"),
        _fk("ration_blocks", "lift_feed_row_id", "ration_feed_rows"),
    )
    op.create_index("ix_ration_blocks_person_id", "ration_blocks", ["person_id"])
    op.create_index("uq_ration_blocks_open", "ration_blocks", ["person_id", "category"],
                    unique=True, sqlite_where=sa.text("lifted_at IS NULL"),
                    postgresql_where=sa.text("lifted_at IS NULL"))
    cursors = op.create_table(
        "ration_cursors",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_ration_cursors"),
    )
    op.create_table(
        "ration_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        _pk("ration_rounds"), sa.UniqueConstraint("code", name="uq_ration_rounds_code"),
    )
    op.create_table(
        "ration_round_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("per_person", sa.Integer(), nullable=False),
        _pk("ration_round_items"), _fk("ration_round_items", "round_id", "ration_rounds"),
        sa.UniqueConstraint("round_id", "item", name="uq_ration_round_items_round_id_item"),
    )
    op.create_index("ix_ration_round_items_round_id", "ration_round_items", ["round_id"])
    op.create_table(
        "ration_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("collector_person_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("eligible_members", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("recorded_at", _NOW, nullable=False),
        _pk("ration_receipts"), _fk("ration_receipts", "household_id", "ration_households"),
        _fk("ration_receipts", "round_id", "ration_rounds"),
        _fk("ration_receipts", "collector_person_id", "persons"),
        _fk("ration_receipts", "agent_id", "ration_agents"),
        sa.UniqueConstraint("household_id", "round_id",
                            name="uq_ration_receipts_household_id_round_id"),
    )
    op.create_index("ix_ration_receipts_round_id", "ration_receipts", ["round_id"])
    op.create_index("ix_ration_receipts_agent_id", "ration_receipts", ["agent_id"])
    op.create_table(
        "ration_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("about", sa.String(8), nullable=False),
        sa.Column("item", sa.String(32), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("routed_to", sa.String(100), nullable=True),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
        _pk("ration_complaints"), _fk("ration_complaints", "person_id", "persons"),
        _fk("ration_complaints", "agent_id", "ration_agents"),
        _fk("ration_complaints", "round_id", "ration_rounds"),
        _fk("ration_complaints", "receipt_id", "ration_receipts"),
        sa.UniqueConstraint("tracking_number", name="uq_ration_complaints_tracking_number"),
    )
    op.create_index("ix_ration_complaints_person_id", "ration_complaints", ["person_id"])
    op.create_index("ix_ration_complaints_agent_id", "ration_complaints", ["agent_id"])
    op.create_table(
        "ration_complaint_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("at", _NOW, nullable=False),
        _pk("ration_complaint_steps"),
        _fk("ration_complaint_steps", "complaint_id", "ration_complaints"),
    )
    op.create_index("ix_ration_complaint_steps_complaint_id", "ration_complaint_steps",
                    ["complaint_id"])

    stamp = datetime.now(UTC)
    op.bulk_insert(rules, [
        {"category": c, "scope": s, "temporary": t, "threshold_iqd": th, "min_days": md,
         "max_grade": mg, "effective_from": date(2021, 6, 1), "effective_to": None,
         "basis": b[:200], "created_at": stamp}
        for c, s, t, th, md, mg, b in _RULES])
    op.bulk_insert(cursors, [{"name": "life_events", "last_event_id": 0, "updated_at": stamp}])


def downgrade() -> None:
    for table in ("ration_complaint_steps", "ration_complaints", "ration_receipts",
                  "ration_round_items", "ration_rounds", "ration_cursors", "ration_blocks",
                  "ration_feed_rows", "ration_feed_batches", "ration_rules",
                  "ration_household_moves", "ration_members", "ration_households",
                  "ration_agents"):
        op.drop_table(table)
