"""campaigns' delete_after_days, deliveries' deletion deadline

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delete_after_days", sa.Float(), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delete_at", sa.Float(), nullable=True))
        batch_op.create_index(
            "ix_deliveries_delete_at",
            ["delete_at"],
            unique=False,
            postgresql_where=sa.text("delete_at IS NOT NULL"),
            sqlite_where=sa.text("delete_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_delete_at")
        batch_op.drop_column("delete_at")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("delete_after_days")
