"""Complaints (DOMAIN.md section 4, CMP): intake, numbering, ownership, deadlines (through
:mod:`core.sla`), escalation, solution and closure, return visits, consequences (through
:mod:`core.staff`) and reports."""
