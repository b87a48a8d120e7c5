"""SQLAlchemy models.

Supporters may be in danger, so a user row holds only what the bot needs to serve them:
the Telegram id (to reach them), their chosen language and country, and whether Telegram
still lets us write to them. No names, usernames or phone numbers, ever.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.encryption import EncryptedText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Campaign(TimestampMixin, Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    languages: Mapped[list[Any]] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    statement: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    demands: Mapped[list[Any]] = mapped_column(JSON, default=list)
    contacts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Approved-endorsement counts whose crossing is announced to subscribers.
    endorsement_milestones: Mapped[list[Any]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    #: Contact actions as validated by bot.services.campaign_file (docs/campaign-file.md).
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    #: Alerts delivered to subscribers are deleted from their chats this long after delivery
    #: (None: they stay). At most 1.5 days: Telegram allows deletion for 48 hours.
    delete_after_days: Mapped[float | None] = mapped_column(Float)


class Subscription(Base):
    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    __table_args__ = (Index("ix_subscriptions_campaign_id", "campaign_id"),)


class Role(Base):
    """A privilege held by a Telegram user id.

    Not a foreign key to ``users``: a coordinator can be named in a campaign file before
    they ever open the bot. ``source`` tells a role granted by a campaign file (re-synced on
    every load) from one granted by an owner's command (kept until revoked).
    """

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    language: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8), default="grant", server_default="grant")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    __table_args__ = (
        UniqueConstraint("user_id", "role", "campaign_id", "language", name="uq_roles_grant"),
    )


class Alert(Base):
    """An update a coordinator broadcasts to a campaign's subscribers."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(16))  # the source language
    text: Mapped[str] = mapped_column(Text)  # Telegram HTML; the caption when there is a photo
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: draft -> holding -> released; or cancelled; released/holding -> retracted
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    hold_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertTranslation(Base):
    __tablename__ = "alert_translations"

    alert_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    translator_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class Delivery(Base):
    """The outbox: one row per (alert, subscriber), worked off by delivery workers.

    ``state``: held (waiting for a translation), pending (to send), edit (to re-send as an
    edit with a late translation), delete (to delete: the alert was retracted), expire (to
    delete: the campaign's ``delete_after_days`` passed since delivery), and the final states
    sent, failed, blocked, retracted, expired (deleted from the chat after its deadline).
    ``delete_at`` is a sent row's deletion deadline; it is cleared when the row leaves
    ``sent`` for a deletion, so its (partial) index only holds deadlines still to come.
    A worker claims a row by setting a lease (``lease_owner``, ``lease_until``); a row whose
    lease expired is claimable again, so the rows of a worker that died are finished by
    another. Times are epoch seconds.

    No foreign keys: a fan-out writes a row per subscriber (a million in seconds), and on
    PostgreSQL the two key checks per row cost half of that time (bench/RESULTS.md). Rows
    are only ever created from existing alerts and users; whatever deletes a user (erasure,
    issue 6) must delete their deliveries too.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    alert_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    language: Mapped[str] = mapped_column(String(16))  # the reader's language at fan-out
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    due_at: Mapped[float] = mapped_column(Float)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[float | None] = mapped_column(Float)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_language: Mapped[str | None] = mapped_column(String(16))  # the text actually delivered
    sent_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(String(200))
    delete_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("alert_id", "user_id", name="uq_deliveries_alert_user"),
        Index("ix_deliveries_queue", "state", "due_at"),
        Index("ix_deliveries_alert_state", "alert_id", "state"),
        # Partial: a fan-out inserts rows without a deadline, at no cost to this index.
        Index(
            "ix_deliveries_delete_at",
            "delete_at",
            postgresql_where=text("delete_at IS NOT NULL"),
            sqlite_where=text("delete_at IS NOT NULL"),
        ),
    )


class SendWindow(Base):
    """Sends granted per one-second window, shared by all workers (the database limiter)."""

    __tablename__ = "send_windows"

    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    used: Mapped[int] = mapped_column(Integer, default=0)


class SendPause(Base):
    """Until when every worker holds back after Telegram answered 429 (epoch seconds)."""

    __tablename__ = "send_pauses"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    until: Mapped[float] = mapped_column(Float)


class Endorsement(Base):
    """An organisation signing a campaign's statement.

    The private fields (``contact_email``, ``signer_name``, ``signer_role``) are encrypted at
    rest when ``DATA_KEY`` is set (db.encryption), so they are only ever read, never queried
    by value.
    ``submitter_id`` is the Telegram user who submitted it; erasing that user nulls it.
    ``dedup_key`` ("<normalised name>|<country>") is set while the endorsement is pending or
    approved and NULL otherwise, so the unique constraint lets an organisation endorse once,
    and again after a withdrawal or a rejection (the real one after an impersonator, say).

    ``status``: pending -> approved | rejected; pending/approved -> withdrawn (by the
    submitter); approved -> removed (by a coordinator).
    """

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    submitter_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(300))
    contact_email: Mapped[str] = mapped_column(EncryptedText())
    signer_name: Mapped[str | None] = mapped_column(EncryptedText())
    signer_role: Mapped[str | None] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    dedup_key: Mapped[str | None] = mapped_column(String(210))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("campaign_id", "dedup_key", name="uq_endorsements_campaign_dedup"),
        Index("ix_endorsements_campaign_status", "campaign_id", "status"),
    )


class EndorsementMilestone(Base):
    """A milestone already announced: its primary key makes the announcement happen once."""

    __tablename__ = "endorsement_milestones"

    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    alert_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class TeamMember(Base):
    """How a team member (coordinator, translator) is called in the team list.

    Team-internal, chosen by the member when accepting an invite; encrypted at rest.
    """

    __tablename__ = "team_members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class TeamInvite(Base):
    """A one-time invitation link into a campaign's team. Only the token's SHA-256 is kept."""

    __tablename__ = "team_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One privileged act: who (``actor_id``), on which campaign, when, what, to whom.

    ``detail`` never holds a Telegram id: the people involved are ``actor_id`` and
    ``subject_id`` only, so erasing a user (``/forget``) can null them out.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (Index("ix_audit_log_campaign_at", "campaign_id", "at"),)


class Mission(TimestampMixin, Base):
    """A diplomatic mission of the embassy directory (``targets import-embassies``).

    ``operator`` is the sending country and ``country`` where the mission stands (ISO 3166
    alpha-2); ``jurisdictions`` the codes of the countries it covers. Keyed by the
    mission's Wikidata id so that importing again updates rows in place.
    """

    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qid: Mapped[str] = mapped_column(String(32), unique=True)
    operator: Mapped[str] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(2))
    jurisdictions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(64))  # the directory's type: embassy, consulate...
    city: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_missions_operator_country", "operator", "country"),)


class ContactRecord(Base):
    """A supporter's report on a contact action: "contacted", "unreachable" (no contact
    works) or "no_target" (the directory had nothing for their country).

    Only what the totals need: the campaign, the action, the target, the supporter's
    country and a time. ``user_id`` links the record to its supporter only so that a
    report is counted once; erasure (/forget) sets it to NULL and the totals stay.
    """

    __tablename__ = "contact_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    action_id: Mapped[str] = mapped_column(String(32))
    target_key: Mapped[str] = mapped_column(String(40))
    target_name: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    country: Mapped[str | None] = mapped_column(String(2))  # the supporter's, at the time
    kind: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    __table_args__ = (
        # NULL user ids (erased supporters) never conflict, so their totals stay.
        UniqueConstraint(
            "user_id", "campaign_id", "action_id", "target_key", "kind", name="uq_contact_records"
        ),
        Index("ix_contact_records_campaign_action", "campaign_id", "action_id", "target_key"),
    )
