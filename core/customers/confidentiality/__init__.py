"""Confidentiality, archive lending and retention of customer records (DOMAIN.md 3.8 CUS-70..75,
and CUS-07): who may see which customer and its PII, confidentiality levels, viewing requests,
archive loans, export approvals, leak reports, custody inspections and the destruction queue.
See ``docs/customers/confidentiality.md``."""
