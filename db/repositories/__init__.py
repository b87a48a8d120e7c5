"""Repositories: all SQL lives here. They flush but never commit; services own transactions."""

from db.repositories.campaigns import CampaignRepository
from db.repositories.roles import RoleRepository
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository

__all__ = ["CampaignRepository", "RoleRepository", "SubscriptionRepository", "UserRepository"]
