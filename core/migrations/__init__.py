"""Alembic migrations of the core (``versions/``); plugins bring their own version locations."""
