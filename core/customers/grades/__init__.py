"""Grades, tiers and key accounts (DOMAIN.md 3.6, CUS-50..CUS-53): pure rules (``tiers``,
``key_accounts``, ``cycles``, ``effects``), their settings, the tables, the service and the jobs."""
