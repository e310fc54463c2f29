"""CUS-72 viewing requests: pure rules.

The case decides the approver (``cus.view_request.approver``): ``classified`` when the customer is
above normal (CS manager), else ``own`` when it belongs to one of the requester's departments
(department manager), else ``other`` (GM). An approved request grants ``cus.view_request.grant``:
view-only by default, from the approval for the period (1 day: approved 2026-05-06 10:00 → until
2026-05-07 24:00, CAL-05).
"""
from __future__ import annotations

import datetime as dt

from core.calendar import Deadline, WorkCalendar


def case_of(classified: bool, same_department: bool) -> str:
    if classified:
        return "classified"
    return "own" if same_department else "other"


def approver_for(case: str, values: dict) -> str:
    return values["view_request"]["approver"][case]


def grant_until(calendar: WorkCalendar, approved_at: dt.datetime, values: dict) -> Deadline:
    return calendar.add_duration(approved_at, values["view_request"]["grant"]["period"], audience="internal")


def view_only(values: dict) -> bool:
    return values["view_request"]["grant"]["access"] == "view_only"
