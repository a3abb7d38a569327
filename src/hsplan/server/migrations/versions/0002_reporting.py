"""reporting: department task reports, reporting periods (deadlines), the data version.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from hsplan.server.db import data_version, reporting_periods, task_reports

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (task_reports, reporting_periods, data_version)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind, checkfirst=True)
