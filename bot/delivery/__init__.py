"""Delivering alerts: the outbox worker and its rate limiter."""
