"""PostgreSQL: samples and templates as hash-partitioned tables (a no-op on SQLite)

At a national size (46M persons, ~11 samples and templates each: ~0.5 G rows apiece) one heap
and one index per table make vacuum, index builds and backups single huge units. Both tables
become ``PARTITION BY HASH (id)`` with ``PARTITIONS`` partitions: every lookup the service makes
is by id (primary key, sample_id) or by an indexed owner column, so each touches one partition
or one index probe per partition, and partitions vacuum, reindex and restore on their own. The
delta a decision re-checks (``templates.id > H``) is one short primary-key range per partition.
Hash rather than range: no partition to create ahead of time as ids grow.

Rows are moved by ``INSERT ... SELECT`` inside the migration's transaction (minutes per 100M
rows: run it before the national import, or in a maintenance window).

Revision ID: 0071_partition_biometrics
Revises: 0070_gallery_outbox
"""

from __future__ import annotations

from alembic import op

revision = "0071_partition_biometrics"
down_revision = "0070_gallery_outbox"
branch_labels = None
depends_on = None

PARTITIONS = 16
INDEXES = {"samples": ["enrollment_id"],
           "templates": ["sample_id", "enrollment_id", "person_id"]}
FOREIGN_KEYS = {  # (column, referred table) of each table, named by models.base.NAMING
    "samples": [("enrollment_id", "enrollments")],
    "templates": [("sample_id", "samples"), ("enrollment_id", "enrollments"),
                  ("person_id", "persons")],
}


def _partition(table: str) -> None:
    old = f"{table}_unpartitioned"
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{table} TO pk_{old}")
    for col in INDEXES[table]:
        op.execute(f"ALTER INDEX ix_{table}_{col} RENAME TO ix_{old}_{col}")
    op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
               f"INCLUDING STORAGE) PARTITION BY HASH (id)")
    for n in range(PARTITIONS):
        op.execute(f"CREATE TABLE {table}_p{n:02d} PARTITION OF {table} "
                   f"FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {n})")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (id)")
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")


def _finish(table: str) -> None:
    for col in INDEXES[table]:
        op.execute(f"CREATE INDEX ix_{table}_{col} ON {table} ({col})")
    for col, ref in FOREIGN_KEYS[table]:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{col}_{ref} "
                   f"FOREIGN KEY ({col}) REFERENCES {ref} (id)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _partition("samples")
    _partition("templates")
    op.execute("DROP TABLE templates_unpartitioned")  # its foreign key to samples goes with it
    op.execute("DROP TABLE samples_unpartitioned")
    _finish("samples")
    _finish("templates")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("templates", "samples"):
        old = f"{table}_partitioned"
        op.execute(f"ALTER TABLE {table} RENAME TO {old}")
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{table} TO pk_{old}")
        for col in INDEXES[table]:
            op.execute(f"ALTER INDEX ix_{table}_{col} RENAME TO ix_{old}_{col}")
        for col, ref in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {old} DROP CONSTRAINT fk_{table}_{col}_{ref}")
    for table in ("samples", "templates"):
        old = f"{table}_partitioned"
        op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY (id)")
        op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
        op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    for table in ("templates", "samples"):
        op.execute(f"DROP TABLE {table}_partitioned")
    for table in ("samples", "templates"):
        _finish(table)
