"""Shared fixtures for the CAL tests (2026 official calendar, Asia/Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0, ss=0, tz=SHANGHAI):
    """An aware datetime, Shanghai by default."""
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=tz)


@pytest.fixture
def cal():
    """The default tenant calendar (all cal.* defaults)."""
    return WorkCalendar()
