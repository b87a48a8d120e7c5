"""organisation endorsements, announced milestones, campaigns' endorsement milestones

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "endorsement_milestones",
                sa.JSON(),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("submitter_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=False),
        sa.Column("signer_name", sa.Text(), nullable=True),
        sa.Column("signer_role", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("dedup_key", sa.String(length=210), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_endorsements_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitter_id"],
            ["users.id"],
            name=op.f("fk_endorsements_submitter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("campaign_id", "dedup_key", name="uq_endorsements_campaign_dedup"),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_endorsements_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_endorsements_submitter_id"), ["submitter_id"], unique=False
        )
        batch_op.create_index(
            "ix_endorsements_campaign_status", ["campaign_id", "status"], unique=False
        )
    op.create_table(
        "endorsement_milestones",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_endorsement_milestones_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "count", name=op.f("pk_endorsement_milestones")),
    )


def downgrade() -> None:
    op.drop_table("endorsement_milestones")
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index("ix_endorsements_campaign_status")
        batch_op.drop_index(batch_op.f("ix_endorsements_submitter_id"))
        batch_op.drop_index(batch_op.f("ix_endorsements_campaign_id"))
    op.drop_table("endorsements")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("endorsement_milestones")
