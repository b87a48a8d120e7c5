"""Who may do what. Every permission rule of the bot is decided here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from db.repositories import CampaignRepository, RoleRepository
from db.repositories.audit import AuditRepository
from db.repositories.roles import COORDINATOR, TRANSLATOR

__all__ = ["COORDINATOR", "TRANSLATOR", "GrantOutcome", "RoleService", "UserRoles"]


@dataclass(frozen=True)
class UserRoles:
    owner: bool = False
    coordinator_of: frozenset[str] = frozenset()
    #: (language, campaign slug or None for every campaign)
    translator_for: tuple[tuple[str, str | None], ...] = field(default_factory=tuple)

    @property
    def is_coordinator(self) -> bool:
        return self.owner or bool(self.coordinator_of)

    @property
    def is_translator(self) -> bool:
        return bool(self.translator_for)

    def can_coordinate(self, slug: str) -> bool:
        return self.owner or slug in self.coordinator_of


class GrantOutcome(enum.Enum):
    DONE = "done"
    UNCHANGED = "unchanged"
    NO_CAMPAIGN = "no_campaign"
    FROM_FILE = "from_file"  # the role comes from the campaign file: change it there


class RoleService:
    def __init__(self, session: AsyncSession, owner_ids: frozenset[int]) -> None:
        self.session = session
        self.owner_ids = owner_ids
        self.roles = RoleRepository(session)
        self.campaigns = CampaignRepository(session)
        self.audit = AuditRepository(session)

    def is_owner(self, user_id: int) -> bool:
        return user_id in self.owner_ids

    async def roles_of(self, user_id: int) -> UserRoles:
        coordinator_of: set[str] = set()
        translator_for: list[tuple[str, str | None]] = []
        for role, slug in await self.roles.of_user(user_id):
            if role.role == COORDINATOR and slug is not None:
                coordinator_of.add(slug)
            elif role.role == TRANSLATOR and role.language:
                translator_for.append((role.language, slug))
        return UserRoles(
            owner=self.is_owner(user_id),
            coordinator_of=frozenset(coordinator_of),
            translator_for=tuple(translator_for),
        )

    async def is_coordinator(self, user_id: int) -> bool:
        return self.is_owner(user_id) or await self.roles.is_coordinator(user_id)

    async def can_coordinate(self, user_id: int, slug: str) -> bool:
        if self.is_owner(user_id):
            return True
        campaign = await self.campaigns.get_by_slug(slug)
        return campaign is not None and await self.roles.is_coordinator(user_id, campaign.id)

    async def can_translate(self, user_id: int, slug: str, language: str) -> bool:
        """Translators of the language (for every campaign or this one), and coordinators."""
        if await self.can_coordinate(user_id, slug):
            return True
        return any(
            held_language == language and held_slug in (None, slug)
            for held_language, held_slug in (await self.roles_of(user_id)).translator_for
        )

    async def is_translator(self, user_id: int) -> bool:
        return await self.is_coordinator(user_id) or (await self.roles_of(user_id)).is_translator

    async def can_manage_team(self, user_id: int, slug: str | None) -> bool:
        """Owners manage every team; coordinators their campaign's. Roles for every
        campaign (slug None) are the owners'."""
        if slug is None:
            return self.is_owner(user_id)
        return await self.can_coordinate(user_id, slug)

    async def _change(
        self,
        grant: bool,
        user_id: int,
        role: str,
        slug: str | None,
        language: str | None,
        actor_id: int | None,
    ) -> GrantOutcome:
        campaign_id = None
        if slug is not None:
            campaign = await self.campaigns.get_by_slug(slug)
            if campaign is None:
                return GrantOutcome.NO_CAMPAIGN
            campaign_id = campaign.id
        if grant:
            changed = await self.roles.add(user_id, role, campaign_id, language)
        else:
            held = await self.roles.find(user_id, role, campaign_id, language)
            if held is not None and held.source == "file":
                return GrantOutcome.FROM_FILE
            changed = await self.roles.remove(user_id, role, campaign_id, language)
        if changed:
            detail = role if language is None else f"{role} {language}"
            await self.audit.add(
                actor_id,
                campaign_id,
                audit.ROLE_GRANT if grant else audit.ROLE_REVOKE,
                detail,
                subject_id=user_id,
            )
        await self.session.commit()
        return GrantOutcome.DONE if changed else GrantOutcome.UNCHANGED

    async def grant(
        self,
        user_id: int,
        role: str,
        slug: str | None,
        language: str | None = None,
        *,
        actor_id: int | None = None,
    ) -> GrantOutcome:
        return await self._change(True, user_id, role, slug, language, actor_id)

    async def revoke(
        self,
        user_id: int,
        role: str,
        slug: str | None,
        language: str | None = None,
        *,
        actor_id: int | None = None,
    ) -> GrantOutcome:
        return await self._change(False, user_id, role, slug, language, actor_id)
