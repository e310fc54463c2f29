"""Follow-ups, visits and return visits (DOMAIN.md 3.7, CUS-61..CUS-64); see docs/customers/visits.md."""
