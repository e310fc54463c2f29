"""Report settings of the ``cmp`` policy document (CMP-80, CMP-81)::

    cmp.reports.monthly_due_day = 10            CMP-80  the monthly statistics are due by this day
    cmp.reports.weekly_day = mon                CMP-80  the weekly report covers the 7 days before it
    cmp.reports.half_year = [06-01..06-10, 12-01..12-10]
                                                CMP-80  half-year review windows (built on the first
                                                        day, due by the last; reviews the 6 months before)
    cmp.digest.at = 07:50                       CMP-81  the daily digest is ready by this time

Joined into the one ``cmp`` document by :mod:`core.complaints.policy`.
"""
from __future__ import annotations

import datetime as dt
import re

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar.policy import ClockTime

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$")
DEFAULT_HALF_YEAR = ("06-01..06-10", "12-01..12-10")


def parse_window(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """``"06-01..06-10"`` → ((6, 1), (6, 10)); ValueError when it is not a window inside one month
    that starts on the month's first day (a review covers whole months)."""
    match = _WINDOW.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a window MM-DD..MM-DD")
    m1, d1, m2, d2 = (int(g) for g in match.groups())
    if not (1 <= m1 <= 12) or m1 != m2 or d1 != 1 or not (1 <= d2 <= 28):
        raise ValueError(f"{text!r}: a window starts on the 1st and ends by the 28th of the same month")
    return (m1, d1), (m2, d2)


class ReportsSchema(Schema):
    """``cmp.reports`` (CMP-80)."""

    monthly_due_day = fields.Integer(load_default=10, validate=validate.Range(min=1, max=28))
    weekly_day = fields.String(load_default="mon", validate=validate.OneOf(WEEKDAYS))
    half_year = fields.List(fields.String(), load_default=lambda: list(DEFAULT_HALF_YEAR))

    @validates("half_year")
    def _windows(self, value: list[str], **kwargs) -> None:
        for text in value:
            try:
                parse_window(text)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        if len({parse_window(t)[0][0] for t in value}) != len(value):
            raise ValidationError("one window per month")


class DigestSchema(Schema):
    """``cmp.digest`` (CMP-81)."""

    at = ClockTime(load_default=lambda: dt.time(7, 50))


class ReportsPolicySchema(Schema):
    reports = fields.Nested(ReportsSchema, load_default=lambda: ReportsSchema().load({}))
    digest = fields.Nested(DigestSchema, load_default=lambda: DigestSchema().load({}))
