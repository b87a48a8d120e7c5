"""Services: the rules of the bot. They own the transaction and return plain dataclasses."""
