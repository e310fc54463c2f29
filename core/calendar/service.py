"""The current tenant's calendar, built from its ``cal`` policy in force at a given time (I/O side of
the pure calendar module)."""
from __future__ import annotations

from core.calendar.policy import calendar_from_policy
from core.calendar.workcalendar import WorkCalendar


def tenant_calendar(at=None, department: str | None = None) -> tuple[WorkCalendar, object]:
    """``(calendar, policy view)`` of the current tenant under the ``cal`` version in force at ``at``."""
    from core.policy import service as policies

    view = policies.in_force("cal", at)
    calendar = calendar_from_policy(view.values)
    if department:
        calendar = calendar.for_department(department)
    return calendar, view
