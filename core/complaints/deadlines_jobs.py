"""Jobs of complaint deadlines (DOMAIN.md §13), run "as of" a moment (default now), idempotent:

- ``cmp.reminders`` (daily 08:28, working days): CMP-35 reminders to the responsible department of
  every overdue open case (one per case and day), and investigation orders for cases closed after a
  breach (one per case). On a day off only the investigation orders are written.

The deadline sweep itself (``cmp.sla_timers``) is the engine's: :mod:`core.sla.jobs`.
"""
from __future__ import annotations

from core.calendar.service import tenant_calendar
from core.complaints import deadlines_orders
from core.sla.jobs import moment_of
from workers.registry import tenant_job

CADENCE = "28 8 * * *"


@tenant_job("cmp.reminders")
def reminders(job, *, as_of: str | None = None):
    """CMP-35 (working days 08:30)."""
    moment = moment_of(as_of)
    calendar, _ = tenant_calendar(moment)
    working = calendar.is_working_day(moment)
    sent = deadlines_orders.send_reminders(moment) if working else 0
    ordered = deadlines_orders.open_investigations(moment)
    return {"reminders": sent, "investigations": ordered, "working_day": working, "as_of": moment.isoformat()}
