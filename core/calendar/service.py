"""The current tenant's calendar, built from its ``cal`` policy (I/O side of the pure calendar module).
The time zone is the tenant's own (``tenants.timezone``, CAL-08)."""
from __future__ import annotations

import datetime as dt

from core.calendar.policy import calendar_from_policy
from core.calendar.workcalendar import WorkCalendar


def _tenant():
    from core.tenancy import current_tenant_id
    from tenants.registry import get_tenant

    return get_tenant(current_tenant_id())


def tenant_calendar(at=None, department: str | None = None) -> tuple[WorkCalendar, object]:
    """``(calendar, policy view)`` of the current tenant under the ``cal`` version in force at ``at``."""
    from core.policy import service as policies

    view = policies.in_force("cal", at)
    calendar = calendar_from_policy(view.values, timezone=_tenant().timezone)
    if department:
        calendar = calendar.for_department(department)
    return calendar, view


def days(start: dt.date, end: dt.date, department: str | None = None) -> list:
    """Each day from ``start`` to ``end`` under the ``cal`` version in force on that day."""
    from core.policy import service as policies

    timezone = _tenant().timezone
    views = policies.all_versions("cal")
    bodies = {view.version: view.values for view in views}
    versions = [(view.effective_from, view.version) for view in views if view.version]
    calendars: dict[int, WorkCalendar] = {}
    result, day = [], start
    while day <= end:
        number = max((n for since, n in versions if since <= day), default=0)
        if number not in calendars:
            calendar = calendar_from_policy(bodies[number], timezone=timezone)
            calendars[number] = calendar.for_department(department) if department else calendar
        result.append(calendars[number].day_info(day))
        day += dt.timedelta(days=1)
    return result


#: the years the calendar computes (the lunar tables of the statutory holidays, CAL-02)
FIRST_YEAR, LAST_YEAR = 1900, 2099


def year_errors(value: dt.date | dt.datetime | None, field: str) -> dict[str, list[str]]:
    """``{field: [message]}`` when ``value`` lies outside the calendar's years (a 422 rather than a
    calendar that cannot answer); ``{}`` otherwise or for None. A time is judged by its UTC year with a
    day's margin either side (the tenant's local day may fall in the neighbouring year)."""
    if value is None:
        return {}
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        try:
            utc = value.astimezone(dt.timezone.utc)
        except OverflowError:
            utc = None
        ok = utc is not None and dt.datetime(FIRST_YEAR, 1, 2, tzinfo=dt.timezone.utc) <= utc \
            <= dt.datetime(LAST_YEAR, 12, 30, tzinfo=dt.timezone.utc)
    else:
        ok = FIRST_YEAR <= value.year <= LAST_YEAR
    if ok:
        return {}
    return {field: [f"outside the years the calendar covers ({FIRST_YEAR}–{LAST_YEAR})"]}

