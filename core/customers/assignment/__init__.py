"""Assignment and reassignment of customers (DOMAIN.md 3.4, CUS-30..CUS-36) and the visitor and call
register (CUS-80): pure rules in :mod:`.rules`; tables in :mod:`.models`; the services that load the
facts, call the rules and write rows and decisions; the jobs."""
