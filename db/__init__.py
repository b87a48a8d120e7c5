"""Database layer: models, engine and sessions, repositories and migrations."""
