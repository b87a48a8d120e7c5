"""The delivery outbox. Every statement here is set-based: subscribers never enter Python
except the rows a worker has claimed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Float,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Alert, Delivery, Subscription, User, utcnow

#: States a worker acts on; the others are final, or wait for a translation (held).
WORK_STATES = ("pending", "edit", "delete", "expire")
#: Not finished yet as far as the alert is concerned (an expiring row was delivered).
OPEN_STATES = ("held", "pending", "edit", "delete")

deliveries = cast(Table, Delivery.__table__)


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    alert_id: int
    user_id: int
    language: str
    state: str
    attempts: int
    message_id: int | None
    sent_at: float | None


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row; applied in batches by ``apply``."""

    id: int
    kind: str  # sent | edited | deleted | retry | failed | blocked | kept
    message_id: int | None = None
    language: str | None = None
    error: str | None = None
    due_at: float | None = None
    refund: int = 0  # attempts not to count (a 429 is not the row's fault)
    user_id: int | None = None
    delete_after: float | None = None  # sent: delete from the chat this many seconds later


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def fan_out(
        self,
        alert_id: int,
        campaign_id: int,
        released_languages: set[str] | None,
        default_locale: str,
        now: float,
    ) -> int:
        """One row per active subscriber, in one INSERT … SELECT; returns the rows created.

        Rows in ``released_languages`` (all when None) are pending at once; the others are
        held until their translation arrives or the hold ends.
        """
        language = func.coalesce(User.locale, literal(default_locale))
        if released_languages is None:
            state: Any = literal("pending")
        elif released_languages:
            state = case((language.in_(sorted(released_languages)), "pending"), else_="held")
        else:
            state = literal("held")
        rows = (
            select(
                literal(alert_id),
                Subscription.user_id,
                language,
                state,
                literal(0),
                literal(now),
            )
            .join(User, User.id == Subscription.user_id)
            .where(Subscription.campaign_id == campaign_id, User.is_active.is_(True))
        )
        result = await self.session.execute(
            insert(deliveries).from_select(
                ["alert_id", "user_id", "language", "state", "attempts", "due_at"], rows
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim(
        self, owner: str, limit: int, now: float, lease_seconds: float
    ) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due rows. Rows whose lease expired are claimable again."""
        candidates: Select[Any] = (
            select(Delivery.id)
            .where(
                Delivery.state.in_(WORK_STATES),
                Delivery.due_at <= now,
                or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            )
            .order_by(Delivery.due_at, Delivery.id)
            .limit(limit)
        )
        if self._postgres:
            # Concurrent workers skip each other's rows instead of waiting or sharing them.
            candidates = candidates.with_for_update(skip_locked=True)
        statement = (
            update(deliveries)
            .where(deliveries.c.id.in_(candidates.scalar_subquery()))
            .values(
                lease_owner=owner,
                lease_until=now + lease_seconds,
                attempts=deliveries.c.attempts + 1,
            )
            .returning(
                deliveries.c.id,
                deliveries.c.alert_id,
                deliveries.c.user_id,
                deliveries.c.language,
                deliveries.c.state,
                deliveries.c.attempts,
                deliveries.c.message_id,
                deliveries.c.sent_at,
            )
        )
        rows = (await self.session.execute(statement)).all()
        claimed = [ClaimedDelivery(*row) for row in rows]
        claimed.sort(key=lambda row: row.id)
        return claimed

    async def apply(self, owner: str, outcomes: Sequence[Outcome], now: float) -> None:
        """Record outcomes in one round trip per kind; a row whose lease was lost is left alone."""
        by_kind: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            by_kind.setdefault(outcome.kind, []).append(outcome)
        mine = and_(deliveries.c.id == bindparam("b_id"), deliveries.c.lease_owner == owner)
        released = {"lease_owner": None, "lease_until": None}
        statements = {
            # Retracted while in flight: the message must now be deleted.
            "sent": update(deliveries)
            .where(mine)
            .values(
                state=case((deliveries.c.state == "retracted", "delete"), else_="sent"),
                message_id=bindparam("b_message_id"),
                sent_language=bindparam("b_language"),
                sent_at=now,
                due_at=now,
                delete_at=case(
                    (deliveries.c.state == "retracted", None),
                    else_=bindparam("b_delete_at", type_=Float),
                ),
                last_error=None,
                **released,
            ),
            "edited": update(deliveries)
            .where(mine)
            .values(
                state=case((deliveries.c.state == "edit", "sent"), else_=deliveries.c.state),
                sent_language=bindparam("b_language"),
                last_error=None,
                **released,
            ),
            # Deleted: a retraction's (delete) or a deadline's (expire).
            "deleted": update(deliveries)
            .where(mine)
            .values(
                state=case((deliveries.c.state == "expire", "expired"), else_="retracted"),
                last_error=bindparam("b_error"),
                **released,
            ),
            # Could not be edited, or could not be deleted at its deadline: it stays sent.
            "kept": update(deliveries)
            .where(mine)
            .values(
                state=case(
                    (deliveries.c.state.in_(("edit", "expire")), "sent"),
                    else_=deliveries.c.state,
                ),
                last_error=bindparam("b_error"),
                **released,
            ),
            "retry": update(deliveries)
            .where(mine)
            .values(
                due_at=bindparam("b_due_at"),
                attempts=deliveries.c.attempts - bindparam("b_refund"),
                last_error=bindparam("b_error"),
                **released,
            ),
            "failed": update(deliveries)
            .where(mine)
            .values(state="failed", last_error=bindparam("b_error"), **released),
            "blocked": update(deliveries)
            .where(mine)
            .values(state="blocked", last_error=bindparam("b_error"), **released),
        }
        for kind, items in by_kind.items():
            params = [
                {
                    "b_id": item.id,
                    "b_message_id": item.message_id,
                    "b_language": item.language,
                    "b_error": (item.error or "")[:200] or None,
                    "b_due_at": item.due_at if item.due_at is not None else now,
                    "b_refund": item.refund,
                    "b_delete_at": now + item.delete_after if item.delete_after else None,
                }
                for item in items
            ]
            await self.session.execute(statements[kind], params)
            if kind == "blocked":
                user_ids = {item.user_id for item in items if item.user_id is not None}
                await self.session.execute(
                    update(User).where(User.id.in_(user_ids)).values(is_active=False)
                )

    async def renew(self, owner: str, ids: Sequence[int], until: float) -> None:
        """Extend the leases of rows a worker still holds (waiting out a pause, say)."""
        for start in range(0, len(ids), 500):
            await self.session.execute(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(ids[start : start + 500]),
                    deliveries.c.lease_owner == owner,
                )
                .values(lease_until=until)
            )

    async def release(
        self, alert_ids: Sequence[int], now: float, language: str | None = None
    ) -> int:
        """Held rows become pending: all of them (send now, hold over), or one language's
        (its translation arrived)."""
        conditions = [deliveries.c.alert_id.in_(alert_ids), deliveries.c.state == "held"]
        if language is not None:
            conditions.append(deliveries.c.language == language)
        result = await self.session.execute(
            update(deliveries).where(*conditions).values(state="pending", due_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def release_expired_holds(self, now: float) -> int:
        """Holds whose deadline passed: every held row falls back and becomes pending."""
        expired = select(Alert.id).where(Alert.status == "holding", Alert.hold_until <= utcnow())
        ids = list(await self.session.scalars(expired))
        if not ids:
            return 0
        await self.session.execute(
            update(Alert)
            .where(Alert.id.in_(ids), Alert.status == "holding")
            .values(status="released", released_at=utcnow())
        )
        return await self.release(ids, now)

    async def expire_due(self, now: float) -> int:
        """Sent rows whose deletion deadline passed are queued for deletion (``expire``),
        in the order of their deadlines. Run by every worker: a row leaves ``sent`` once."""
        result = await self.session.execute(
            update(deliveries)
            .where(
                deliveries.c.delete_at.is_not(None),
                deliveries.c.delete_at <= now,
                deliveries.c.state == "sent",
            )
            .values(state="expire", due_at=deliveries.c.delete_at, delete_at=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def schedule_edits(
        self, alert_id: int, language: str, now: float, not_before: float, *, again: bool = False
    ) -> int:
        """Rows delivered in a fallback language get the late translation as an edit
        (``again``: a corrected translation, so rows already in that language too)."""
        conditions = [
            deliveries.c.alert_id == alert_id,
            deliveries.c.language == language,
            deliveries.c.state == "sent",
            deliveries.c.sent_at >= not_before,
        ]
        if not again:
            conditions.append(deliveries.c.sent_language != language)
        result = await self.session.execute(
            update(deliveries).where(*conditions).values(state="edit", due_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def retract(self, alert_id: int, now: float, not_before: float) -> tuple[int, int]:
        """Stop what is not sent yet; queue deletions of what was. Returns (stopped, to delete)."""
        stopped = await self.session.execute(
            update(deliveries)
            .where(deliveries.c.alert_id == alert_id, deliveries.c.state.in_(("held", "pending")))
            .values(state="retracted")
        )
        # Rows already deleted at their deadline (expired) need nothing more; rows about to
        # be (expire) are deleted as retracted instead.
        delivered = ("sent", "edit", "expire")
        to_delete = await self.session.execute(
            update(deliveries)
            .where(
                deliveries.c.alert_id == alert_id,
                deliveries.c.state.in_(delivered),
                deliveries.c.sent_at >= not_before,
            )
            .values(state="delete", due_at=now, delete_at=None)
        )
        # Too old to delete (Telegram allows 48 hours): they stay, marked retracted.
        await self.session.execute(
            update(deliveries)
            .where(deliveries.c.alert_id == alert_id, deliveries.c.state.in_(delivered))
            .values(state="retracted", last_error="too old to delete", delete_at=None)
        )
        return (
            int(stopped.rowcount or 0),  # type: ignore[attr-defined]
            int(to_delete.rowcount or 0),  # type: ignore[attr-defined]
        )

    async def counts(self, alert_id: int) -> dict[tuple[str, str], int]:
        """(language, state) -> rows."""
        rows = await self.session.execute(
            select(Delivery.language, Delivery.state, func.count())
            .where(Delivery.alert_id == alert_id)
            .group_by(Delivery.language, Delivery.state)
        )
        return {(language, state): int(n) for language, state, n in rows.all()}

    async def sent_since(self, alert_id: int, since: float) -> int:
        result = await self.session.scalar(
            select(func.count()).where(Delivery.alert_id == alert_id, Delivery.sent_at >= since)
        )
        return int(result or 0)

    async def last_sent_at(self, alert_id: int) -> float | None:
        return await self.session.scalar(
            select(func.max(Delivery.sent_at)).where(Delivery.alert_id == alert_id)
        )

    async def open_counts(self, alert_ids: Iterable[int]) -> dict[int, int]:
        ids = list(alert_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Delivery.alert_id, func.count())
            .where(Delivery.alert_id.in_(ids), Delivery.state.in_(OPEN_STATES))
            .group_by(Delivery.alert_id)
        )
        return {alert_id: int(n) for alert_id, n in rows.all()}

    async def pending_total(self) -> int:
        result = await self.session.scalar(
            select(func.count()).where(Delivery.state.in_(WORK_STATES))
        )
        return int(result or 0)

    async def withdraw(self, user_id: int, campaign_id: int | None = None) -> int:
        """A supporter left (one campaign, or all): what is not sent yet is not sent."""
        conditions = [deliveries.c.user_id == user_id, deliveries.c.state.in_(("held", "pending"))]
        if campaign_id is not None:
            conditions.append(
                deliveries.c.alert_id.in_(select(Alert.id).where(Alert.campaign_id == campaign_id))
            )
        result = await self.session.execute(
            update(deliveries).where(*conditions).values(state="retracted", last_error="left")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
