"""ration law: feed rows ordered by reference date, card-wide blocks, appeals that hold, the
2021 decision's ceilings and categories as rule rows

- ``ration_feed_rows.stream`` / ``ref_date`` (backfilled): per person and stream the row with
  the latest reference date decides, a stale row never overrides a newer fact.
- ``ration_blocks.household_id`` / ``details``; ``person_id`` nullable: a block of a whole card
  (the household's total income) and the figures it was decided on.
- ``ration_appeals``: upheld appeals, holding until the source data changes or a stated date.
- Rules: the income ceiling of the Cabinet decision in force 1 June 2021 was 1,500,000 IQD a
  month (the seed said 2,000,000 from that date); 2,000,000 IQD from 2023-02-07 (see the basis
  text: secondary source, date inferred); the chambers by grade; the businessmen's union,
  terrorist organisations, fugitives, non-Iraqis and refugees (except Palestinian families).

Revision ID: 0020_ration_law
Revises: 0004_ration
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0020_ration_law"
down_revision = "0004_ration"
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)
DECISION_2021 = ("Cabinet decision in force 1 June 2021 (secondary: skypressiq.net "
                 "18 Mar 2021; gazette text not found)")
CEILING_2M = ("2,000,000 IQD; secondary: Trade Minister (burathanews.com 2025-09-20): set "
              "with the exchange-rate change by the current government; date inferred: CBI "
              "revaluation 2023-02-07; VERIFY")
_START = date(2021, 6, 1)
_RAISE = date(2023, 2, 7)
# (category, scope, temporary, max_grade, basis)
assert len(CEILING_2M) <= 200
_NEW = [
    ("chamber_commerce", "household_if_head", False, 2,
     "federation of chambers of commerce, grades 1-2; " + DECISION_2021),
    ("chamber_industry", "household_if_head", False, 3,
     "federation of industries, categories 1-3; " + DECISION_2021),
    ("businessmen_union", "household_if_head", False, None,
     "businessmen's union members; " + DECISION_2021),
    ("terrorism", "member", False, None,
     "members of terrorist organisations; " + DECISION_2021),
    ("fugitive", "member", False, None, "fugitives from justice; " + DECISION_2021),
    ("non_iraqi", "member", False, None,
     "Arabs, foreigners and refugees except Palestinian families; " + DECISION_2021),
]


def _stream_and_date(kind: str, agency: str, data: dict) -> tuple[str | None, date | None]:
    """The stream and reference date of a stored row (the rules of agencies.ration.feed_rows
    at this revision)."""
    try:
        if kind == "payroll":
            return f"income:payroll:{agency}"[:160], date.fromisoformat(data["period"] + "-01")
        if kind == "tax":
            return "tax", date(int(data["tax_year"]), 12, 31)
        if kind == "company_registry":
            return f"company:{data['role']}", date.fromisoformat(data["as_of"])
        if kind == "syndicates":
            return f"syndicate:{data['syndicate']}"[:160], date.fromisoformat(data["as_of"])
        if kind == "travel":
            stream = "residence" if data["movement"] == "residence_abroad" else "travel"
            return stream, date.fromisoformat(data["date"])
        if kind == "prison":
            return "prison", date.fromisoformat(data["date"])
    except (KeyError, ValueError, TypeError):
        return None, None
    return None, None


def _backfill(bind: sa.engine.Connection) -> None:
    rows = bind.execute(sa.text(
        "SELECT r.id, r.data, b.kind, b.agency FROM ration_feed_rows r "
        "JOIN ration_feed_batches b ON b.id = r.batch_id")).all()
    for row_id, data, kind, agency in rows:
        if isinstance(data, str):
            import json

            data = json.loads(data)
        stream, ref = _stream_and_date(kind, agency, data or {})
        if stream is not None:
            bind.execute(sa.text("UPDATE ration_feed_rows SET stream = :s, ref_date = :d "
                                 "WHERE id = :i"), {"s": stream, "d": ref, "i": row_id})


def _rules(bind: sa.engine.Connection) -> None:
    rules = sa.table("ration_rules", sa.column("id", sa.Integer()),
                     sa.column("category", sa.String()), sa.column("scope", sa.String()),
                     sa.column("temporary", sa.Boolean()),
                     sa.column("threshold_iqd", sa.BigInteger()),
                     sa.column("min_days", sa.Integer()), sa.column("max_grade", sa.Integer()),
                     sa.column("effective_from", sa.Date()), sa.column("effective_to", sa.Date()),
                     sa.column("basis", sa.String()), sa.column("created_at", _NOW))
    stamp = datetime.now(UTC)
    income = bind.execute(sa.select(rules.c.id, rules.c.effective_from, rules.c.threshold_iqd,
                                    rules.c.effective_to)
                          .where(rules.c.category == "income")).all()
    if len(income) == 1 and income[0][1] == _START and income[0][3] is None:
        bind.execute(rules.update().where(rules.c.id == income[0][0]).values(
            threshold_iqd=1_500_000, effective_to=date(2023, 2, 6), scope="household",
            basis=("household total, or an unmarried member's own total, above 1,500,000 IQD "
                   "a month; " + DECISION_2021)[:200]))
        op.bulk_insert(rules, [{
            "category": "income", "scope": "household", "temporary": False,
            "threshold_iqd": 2_000_000, "min_days": None, "max_grade": None,
            "effective_from": _RAISE, "effective_to": None, "basis": CEILING_2M[:200],
            "created_at": stamp}])
    else:
        bind.execute(rules.update().where(rules.c.category == "income").values(
            scope="household"))
    known = {c for (c,) in bind.execute(sa.select(rules.c.category).distinct())}
    op.bulk_insert(rules, [
        {"category": c, "scope": s, "temporary": t, "threshold_iqd": None, "min_days": None,
         "max_grade": g, "effective_from": _START, "effective_to": None, "basis": b[:200],
         "created_at": stamp}
        for c, s, t, g, b in _NEW if c not in known])


def upgrade() -> None:
    with op.batch_alter_table("ration_feed_rows") as batch:
        batch.add_column(sa.Column("stream", sa.String(160), nullable=True))
        batch.add_column(sa.Column("ref_date", sa.Date(), nullable=True))
    op.create_index("ix_ration_feed_rows_person_stream", "ration_feed_rows",
                    ["person_id", "stream", "ref_date"])
    with op.batch_alter_table("ration_blocks") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.create_foreign_key("fk_ration_blocks_household_id_ration_households",
                                 "ration_households", ["household_id"], ["id"])
    op.create_index("ix_ration_blocks_household_id", "ration_blocks", ["household_id"])
    op.create_index("uq_ration_blocks_open_household", "ration_blocks",
                    ["household_id", "category"], unique=True,
                    sqlite_where=sa.text("lifted_at IS NULL AND household_id IS NOT NULL"),
                    postgresql_where=sa.text("lifted_at IS NULL AND household_id IS NOT NULL"))
    op.create_table(
        "ration_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(64), nullable=True),
        sa.Column("holds_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("decided_at", _NOW, nullable=False),
        sa.Column("ended_at", _NOW, nullable=True),
        sa.Column("ended_reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ration_appeals"),
        sa.ForeignKeyConstraint(["block_id"], ["ration_blocks.id"],
                                name="fk_ration_appeals_block_id_ration_blocks"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name="fk_ration_appeals_person_id_persons"),
        sa.ForeignKeyConstraint(["household_id"], ["ration_households.id"],
                                name="fk_ration_appeals_household_id_ration_households"),
    )
    for column in ("block_id", "person_id", "household_id"):
        op.create_index(f"ix_ration_appeals_{column}", "ration_appeals", [column])
    bind = op.get_bind()
    _backfill(bind)
    _rules(bind)


def downgrade() -> None:
    op.drop_table("ration_appeals")
    op.drop_index("uq_ration_blocks_open_household", table_name="ration_blocks")
    op.drop_index("ix_ration_blocks_household_id", table_name="ration_blocks")
    with op.batch_alter_table("ration_blocks") as batch:
        batch.drop_constraint("fk_ration_blocks_household_id_ration_households",
                              type_="foreignkey")
        batch.drop_column("details")
        batch.drop_column("household_id")
    op.drop_index("ix_ration_feed_rows_person_stream", table_name="ration_feed_rows")
    with op.batch_alter_table("ration_feed_rows") as batch:
        batch.drop_column("ref_date")
        batch.drop_column("stream")
