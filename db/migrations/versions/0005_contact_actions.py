"""contact actions: campaigns' actions, the embassy directory and contact records

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actions", sa.JSON(), server_default="[]", nullable=False))
    op.create_table(
        "missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("qid", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=2), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("jurisdictions", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
        sa.UniqueConstraint("qid", name=op.f("uq_missions_qid")),
    )
    with op.batch_alter_table("missions", schema=None) as batch_op:
        batch_op.create_index("ix_missions_operator_country", ["operator", "country"], unique=False)
    op.create_table(
        "contact_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("target_key", sa.String(length=40), nullable=False),
        sa.Column("target_name", sa.String(length=300), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_contact_records_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_contact_records_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_records")),
        sa.UniqueConstraint(
            "user_id", "campaign_id", "action_id", "target_key", "kind", name="uq_contact_records"
        ),
    )
    with op.batch_alter_table("contact_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_records_campaign_action",
            ["campaign_id", "action_id", "target_key"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_contact_records_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_records_user_id"))
        batch_op.drop_index("ix_contact_records_campaign_action")
    op.drop_table("contact_records")
    with op.batch_alter_table("missions", schema=None) as batch_op:
        batch_op.drop_index("ix_missions_operator_country")
    op.drop_table("missions")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("actions")
