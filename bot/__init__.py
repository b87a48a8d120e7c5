"""Solidarity bot: coordinates solidarity campaigns over Telegram."""
