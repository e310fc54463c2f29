"""Cadences of periodic jobs, evaluated on local minute slots (spec §13)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from workers.cadence import is_due, slot_id, validate_cadence

SH = ZoneInfo("Asia/Shanghai")


def at(h, m, day=1):
    return dt.datetime(2026, 12, day, h, m, tzinfo=SH)


@pytest.mark.parametrize("cadence, slot, due", [
    ("0 3 * * *", at(3, 0), True),            # cal.refresh_national_data: daily 03:00
    ("0 3 * * *", at(3, 1), False),
    ("*/5 9-17 * * 1-5", at(9, 5), True),     # every 5 min in business hours (Tue 2026-12-01)
    ("*/5 9-17 * * 1-5", at(9, 5, day=6), False),  # Sunday
    ("every 5 minutes", at(0, 10), True),
    ("every 5 minutes", at(0, 11), False),
    ("every 2 hours", at(4, 0), True),
    ("every 2 hours", at(5, 0), False),
    ("every 1 days", at(0, 0), True),
    ("every 1 days", at(0, 1), False),
])
def test_is_due(cadence, slot, due):
    assert is_due(cadence, slot) is due


@pytest.mark.parametrize("bad", ["", "every minute", "every 0 minutes", "61 * * * *", "sometimes", "* * *",
                                 "every 7 minutes", "every 5 hours", "every 36 hours"])
def test_bad_cadence_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="cadence"):
        validate_cadence(bad)


def test_slot_id_is_local_minute_with_offset():
    assert slot_id(at(3, 0).replace(second=42)) == "2026-12-01T03:00+08:00"


def test_a_periodic_job_with_a_bad_cadence_fails_where_it_is_declared():
    from core.plugins.records import PeriodicJob

    with pytest.raises(ValueError, match="must divide a day"):
        PeriodicJob("x.y", "every 7 minutes")
