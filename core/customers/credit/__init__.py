"""Credit rating and limits of B2B counterparties (DOMAIN.md 3.10, CUS-90..CUS-96): pure rules
(``refresh``, ``grading``, ``approval``, ``limits``, ``exposure``), settings, tables, service, jobs."""
