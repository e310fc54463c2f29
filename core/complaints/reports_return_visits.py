"""The return-visit rate of the complaint reports (CMP-80 "return-visit rate", fed by CMP-60..62).

The return visits after resolution are kept by the return-visit part of the complaints module, whose
table does not exist on this branch yet. :func:`return_visit_rate` is the one place the reports ask
for the figure: it answers None ("not available") until that table is there; then it becomes one
GROUP BY over it — visited ÷ eligible resolved cases of the period (anonymous cases and cases answered
in writing only leave the denominator, CMP-61) — returning ``{"eligible": n, "visited": n, "rate": r}``.
Every report and pack shows it under ``return_visits``.
"""
from __future__ import annotations

import datetime as dt


def return_visit_rate(start: dt.datetime, end: dt.datetime) -> dict | None:
    """Visited ÷ eligible resolved cases in [start, end); None while return visits are not recorded."""
    return None
