"""The audit log: every privileged act, who did it, on which campaign, when and what.

Other services and handlers call ``AuditService.record`` right after the act succeeds.
``detail`` is a short, non-personal description ("alert #12", "translator ru"): it must
never contain a Telegram id; the person acted upon goes in ``subject_id``, which ``/forget``
can erase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories import CampaignRepository
from db.repositories.audit import AuditRepository
from db.repositories.team import TeamRepository

#: Action names, stable in the database; texts.audit_action() says them in words.
CAMPAIGN_LOAD = "campaign.load"
ROLE_GRANT = "role.grant"
ROLE_REVOKE = "role.revoke"
TEAM_INVITE = "team.invite"
TEAM_JOIN = "team.join"
ALERT_COMPOSE = "alert.compose"
ALERT_SEND = "alert.send"
ALERT_HOLD = "alert.hold"
ALERT_CANCEL = "alert.cancel"
ALERT_RETRACT = "alert.retract"
ALERT_TRANSLATE = "alert.translate"
KEY_ROTATE = "data.rotate_key"
ENDORSEMENT_APPROVE = "endorsement.approve"
ENDORSEMENT_REJECT = "endorsement.reject"
ENDORSEMENT_REMOVE = "endorsement.remove"
EXPORT = "data.export"
DIRECTORY_IMPORT = "directory.import"

#: Longest detail kept; longer is cut.
DETAIL_LIMIT = 200


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    action: str
    detail: str
    actor: str | None  # display name, when the actor has one
    actor_id: int | None  # None: the system, or an erased user
    subject: str | None


class AuditService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.log = AuditRepository(session)
        self.campaigns = CampaignRepository(session)
        self.team = TeamRepository(session)

    async def record(
        self,
        actor_id: int | None,
        campaign: int | str | None,
        action: str,
        detail: str = "",
        *,
        subject_id: int | None = None,
        commit: bool = True,
    ) -> None:
        """Record a privileged act. ``campaign`` is an id or a slug (None: the whole bot).

        With ``commit=False`` the entry joins the caller's transaction (use it inside a
        service, before its own commit, so the act and its record are one).
        """
        campaign_id = campaign if isinstance(campaign, int) else None
        if isinstance(campaign, str):
            found = await self.campaigns.get_by_slug(campaign)
            campaign_id = found.id if found is not None else None
        await self.log.add(actor_id, campaign_id, action, detail[:DETAIL_LIMIT], subject_id)
        if commit:
            await self.session.commit()

    async def latest(self, slug: str, limit: int = 30) -> list[AuditLine] | None:
        """The campaign's latest entries, newest first; None when there is no such campaign."""
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        names: dict[int, str | None] = {}

        async def name(user_id: int | None) -> str | None:
            if user_id is None:
                return None
            if user_id not in names:
                names[user_id] = await self.team.display_name(user_id)
            return names[user_id]

        return [
            AuditLine(
                at=entry.at,
                action=entry.action,
                detail=entry.detail,
                actor=await name(entry.actor_id),
                actor_id=entry.actor_id,
                subject=await name(entry.subject_id),
            )
            for entry in await self.log.latest(campaign.id, limit)
        ]
