"""initial: PostGIS, the region tables of hsplan.region.schema and the server tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-03

The tables are created from `hsplan.server.db.metadata` as it stands at this revision.
A later change to the schema must come with its own revision (``op.add_column`` …), so
that existing databases are upgraded, not recreated.
"""

from __future__ import annotations

from alembic import op

from hsplan.server.db import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    metadata.create_all(bind)


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
