"""Services on one database session: what every update gets, and what work outside an
update (the error handler, a report that keeps itself current) opens for itself."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.actions import ActionService
from bot.services.alerts import AlertService
from bot.services.audit import AuditService
from bot.services.campaigns import CampaignService
from bot.services.endorsements import EndorsementService
from bot.services.exports import ExportService
from bot.services.privacy import PrivacyService
from bot.services.roles import RoleService
from bot.services.team import TeamService
from bot.services.users import UserService


@dataclass(frozen=True)
class Services:
    users: UserService
    campaigns: CampaignService
    roles: RoleService
    alerts: AlertService
    endorsements: EndorsementService
    exports: ExportService
    audit: AuditService
    team: TeamService
    privacy: PrivacyService
    actions: ActionService


class ServiceFactory:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Services]:
        """Services sharing one session, closed (rolled back if uncommitted) on exit."""
        async with self.session_factory() as session:
            yield Services(
                users=UserService(session),
                campaigns=CampaignService(session),
                roles=RoleService(session, self.settings.admin_ids),
                alerts=AlertService(session, self.settings.default_locale),
                endorsements=EndorsementService(
                    session, self.settings.admin_ids, self.settings.default_locale
                ),
                exports=ExportService(session, self.settings.admin_ids),
                audit=AuditService(session),
                team=TeamService(session),
                privacy=PrivacyService(session),
                actions=ActionService(session),
            )
