"""Small parsing helpers shared by handlers."""

from __future__ import annotations

from aiogram.filters import CommandObject

#: Longest argument any command takes; longer input gets a clear reply, not a lookup.
MAX_ARGUMENT_LENGTH = 200


def slug_argument(command: CommandObject) -> str | None:
    """The campaign slug given to a command, normalised; None when absent."""
    if not command.args or not command.args.strip():
        return None
    return command.args.split()[0].strip().lower()


def too_long(command: CommandObject) -> bool:
    return command.args is not None and len(command.args) > MAX_ARGUMENT_LENGTH
