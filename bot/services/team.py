"""A campaign's team: one-time invitation links, display names, the team list, removal.

Invite tokens are unguessable (256 random bits), used once, valid for 24 hours, and kept
only as a SHA-256 hash: a copy of the database cannot be turned into working links.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from db.models import utcnow
from db.repositories import CampaignRepository, RoleRepository
from db.repositories.audit import AuditRepository
from db.repositories.roles import COORDINATOR, TRANSLATOR
from db.repositories.team import TeamRepository

#: A deep-link payload a campaign slug can never be (slugs have no "_").
INVITE_PREFIX = "join_"
INVITE_LIFETIME = timedelta(hours=24)
#: Longest display name in the team list.
DISPLAY_NAME_LIMIT = 64


def invite_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_invite_token(payload: str) -> bool:
    return payload.startswith(INVITE_PREFIX) and 10 < len(payload) <= 64


class InviteOutcome(enum.Enum):
    JOINED = "joined"
    UNKNOWN = "unknown"  # wrong token
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class JoinResult:
    outcome: InviteOutcome
    slug: str = ""
    role: str = ""
    language: str | None = None


@dataclass(frozen=True)
class TeamEntry:
    role_id: int
    user_id: int
    display_name: str | None
    role: str
    language: str | None
    every_campaign: bool  # a translator for every campaign (granted by an owner)
    from_file: bool  # named in the campaign file: managed there


class TeamService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.team = TeamRepository(session)
        self.roles = RoleRepository(session)
        self.campaigns = CampaignRepository(session)
        self.audit = AuditRepository(session)

    async def invite(self, actor_id: int, slug: str, role: str, language: str | None) -> str | None:
        """A new invitation token for ``role`` in the campaign; None without such campaign.

        The caller has checked that ``actor_id`` may manage this campaign's team.
        """
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        token = INVITE_PREFIX + secrets.token_urlsafe(32)
        await self.team.add_invite(
            invite_hash(token), campaign.id, role, language, actor_id, utcnow() + INVITE_LIFETIME
        )
        detail = role if language is None else f"{role} {language}"
        await self.audit.add(actor_id, campaign.id, audit.TEAM_INVITE, detail)
        await self.session.commit()
        return token

    async def accept(self, token: str, user_id: int, now: datetime | None = None) -> JoinResult:
        found = await self.team.invite_by_hash(invite_hash(token))
        if found is None:
            return JoinResult(InviteOutcome.UNKNOWN)
        invite, slug = found
        result = JoinResult(InviteOutcome.JOINED, slug, invite.role, invite.language)
        if invite.used_at is not None:
            return JoinResult(InviteOutcome.USED, slug, invite.role, invite.language)
        expires_at = invite.expires_at
        if expires_at.tzinfo is None:  # SQLite returns naive UTC
            expires_at = expires_at.replace(tzinfo=UTC)
        if (now or utcnow()) >= expires_at:
            return JoinResult(InviteOutcome.EXPIRED, slug, invite.role, invite.language)
        if not await self.team.use_invite(invite.id):
            await self.session.rollback()
            return JoinResult(InviteOutcome.USED, slug, invite.role, invite.language)
        await self.roles.add(user_id, invite.role, invite.campaign_id, invite.language)
        detail = invite.role if invite.language is None else f"{invite.role} {invite.language}"
        await self.audit.add(user_id, invite.campaign_id, audit.TEAM_JOIN, detail)
        await self.session.commit()
        return result

    async def set_display_name(self, user_id: int, name: str) -> None:
        await self.team.set_display_name(user_id, name)
        await self.session.commit()

    async def members(self, slug: str) -> list[TeamEntry] | None:
        campaign = await self.campaigns.get_by_slug(slug)
        if campaign is None:
            return None
        return [
            TeamEntry(
                role_id=role.id,
                user_id=role.user_id,
                display_name=name,
                role=role.role,
                language=role.language,
                every_campaign=role.campaign_id is None,
                from_file=role.source == "file",
            )
            for role, name in await self.team.members(campaign.id)
            if role.role in (COORDINATOR, TRANSLATOR)
        ]

    async def role(self, role_id: int) -> tuple[TeamEntry, str | None] | None:
        """One role by id with its campaign's slug (None: every campaign)."""
        found = await self.team.role(role_id)
        if found is None:
            return None
        role, slug = found
        entry = TeamEntry(
            role_id=role.id,
            user_id=role.user_id,
            display_name=await self.team.display_name(role.user_id),
            role=role.role,
            language=role.language,
            every_campaign=role.campaign_id is None,
            from_file=role.source == "file",
        )
        return entry, slug
