"""Kehu working-day calendar (DOMAIN.md section 2, CAL-01..CAL-11).

Pure functions and values: ``(calendar config, facts) → results``; no
database, no Flask. Build a calendar from the loaded ``cal`` policy with
:func:`calendar_from_policy` and compute deadlines with its ``add_*``
methods, which return :class:`Deadline` values (instant, provisional flag,
rule id and trace for the decision record).
"""

from .availability import (
    DEFAULT_ACCRUING,
    DEFAULT_LONG_LEAVE_MIN,
    Availability,
    Post,
    RosterBreach,
    accrues_owed_turn,
    count_on_duty,
    is_long_leave,
    leave_days,
    roster_breaches,
)
from .durations import UNIT_KINDS, Duration, format_duration, parse_duration
from .national import (
    HOLIDAY,
    MAKEUP_WORKDAY,
    NORMAL,
    STATUTORY_HOLIDAYS,
    WEEKENDS_ONLY,
    NationalData,
    NationalDay,
    NationalSource,
    statutory_holidays,
)
from .policy import CalendarPolicySchema, calendar_from_policy, load_calendar_policy
from .recompute import Recomputation, recompute_deadline
from .thresholds import AT_LEAST, AT_MOST, Bracket, Threshold, resolve_bracket
from .model import (
    WEEKDAYS,
    BusinessWindow,
    DayInfo,
    Deadline,
    DepartmentCalendar,
    Override,
    add_months_to_date,
    through_date,
)
from .workcalendar import WorkCalendar

__all__ = [
    "AT_LEAST",
    "AT_MOST",
    "Availability",
    "Bracket",
    "BusinessWindow",
    "CalendarPolicySchema",
    "DEFAULT_ACCRUING",
    "DEFAULT_LONG_LEAVE_MIN",
    "DayInfo",
    "Deadline",
    "DepartmentCalendar",
    "Duration",
    "HOLIDAY",
    "MAKEUP_WORKDAY",
    "NORMAL",
    "NationalData",
    "NationalDay",
    "NationalSource",
    "Override",
    "Post",
    "Recomputation",
    "RosterBreach",
    "STATUTORY_HOLIDAYS",
    "Threshold",
    "UNIT_KINDS",
    "WEEKDAYS",
    "WEEKENDS_ONLY",
    "WorkCalendar",
    "accrues_owed_turn",
    "add_months_to_date",
    "calendar_from_policy",
    "count_on_duty",
    "format_duration",
    "is_long_leave",
    "leave_days",
    "load_calendar_policy",
    "parse_duration",
    "recompute_deadline",
    "resolve_bracket",
    "roster_breaches",
    "statutory_holidays",
    "through_date",
]
