"""National holiday data (CAL-01, CAL-02).

:class:`NationalData` answers, for one date, whether the State Council
schedule makes it a public holiday, a make-up workday (调休上班) or a normal
day. Its sources, in order:

1. explicitly loaded years (``explicit={2027: {date: "holiday", ...}}``) —
   what the ``cal.refresh_national_data`` job or a test loads;
2. the ``chinese_calendar`` package (1.11 covers 2004..2026);
3. otherwise the year is *provisional* (CAL-02) and the fallback applies:
   ``statutory_holidays`` — the 13 statutory days of 《全国年节及纪念日放假办法》
   as amended in 2025 (元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1,
   中秋 1, 国庆 3), no make-up days — or ``weekends_only`` (no holidays).
   Weekends themselves are the calendar's weekly rest days, not national data.

Lunar dates come from ``lunardate`` (lunar years 1900..2099); the Qingming
solar term from ``chinese_calendar.get_solar_terms`` (1900..2100).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Protocol

import chinese_calendar
from chinese_calendar import constants as _cc_constants
from lunardate import LunarDate

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
NORMAL = "normal"
STATUSES = (HOLIDAY, MAKEUP_WORKDAY, NORMAL)

STATUTORY_HOLIDAYS = "statutory_holidays"
WEEKENDS_ONLY = "weekends_only"
FALLBACKS = (STATUTORY_HOLIDAYS, WEEKENDS_ONLY)

_PACKAGE_YEARS = range(
    min(_cc_constants.holidays).year, max(_cc_constants.holidays).year + 1
)


@dataclass(frozen=True)
class NationalDay:
    """What the national schedule says about one date.

    ``provisional`` is true when the year has no published data and the
    CAL-02 fallback produced the answer.
    """

    date: dt.date
    status: str
    name: str | None
    provisional: bool


class NationalSource(Protocol):
    """What :class:`~core.calendar.workcalendar.WorkCalendar` needs from national data."""

    def has_year(self, year: int) -> bool: ...

    def detail(self, day: dt.date, fallback: str | None = None) -> NationalDay: ...


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """CAL-02 fallback: the 13 statutory holiday dates of ``year`` with their names.

    元旦 01-01; 春节 4 days from 除夕 (the day before lunar 1/1); 清明 (solar
    term); 劳动节 05-01..02; 端午 (lunar 5/5); 中秋 (lunar 8/15); 国庆 10-01..03.
    Raises ``ValueError`` outside the lunar tables (1900..2099).
    """
    return dict(_statutory_holidays(year))


@lru_cache(maxsize=256)
def _statutory_holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    if not 1900 <= year <= 2099:
        raise ValueError(f"no lunar data to compute statutory holidays for {year} (1900..2099)")
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    eve = LunarDate(year, 1, 1).to_solar_date() - dt.timedelta(days=1)
    for offset in range(4):
        days[eve + dt.timedelta(days=offset)] = "春节"
    qingming = [d for d, name in chinese_calendar.get_solar_terms(
        dt.date(year, 4, 1), dt.date(year, 4, 30)) if name == "清明"]
    days[qingming[0]] = "清明"
    days[dt.date(year, 5, 1)] = "劳动节"
    days[dt.date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋"
    for day in (1, 2, 3):
        days.setdefault(dt.date(year, 10, day), "国庆")
    return tuple(sorted(days.items()))


class NationalData:
    """National schedule lookup (CAL-01) with the CAL-02 provisional fallback.

    ``explicit`` maps a year to ``{date: status}`` (status ``holiday`` |
    ``makeup_workday`` | ``normal``); dates of a loaded year that are not
    listed are ``normal``. Explicit years take precedence over the package.
    ``use_package=False`` ignores ``chinese_calendar`` (for tests of
    provisional years). ``fallback`` is the default CAL-02 fallback used by
    :meth:`status`/:meth:`detail` when none is passed.
    """

    def __init__(
        self,
        explicit: Mapping[int, Mapping[dt.date, str]] | None = None,
        *,
        use_package: bool = True,
        fallback: str = STATUTORY_HOLIDAYS,
    ) -> None:
        _check_fallback(fallback)
        self._explicit: dict[int, dict[dt.date, str]] = {}
        for year, days in (explicit or {}).items():
            self._explicit[int(year)] = _check_year_data(int(year), days)
        self._use_package = use_package
        self.fallback = fallback

    def with_year(self, year: int, days: Mapping[dt.date, str]) -> "NationalData":
        """A copy with ``year`` loaded from ``days`` (what a refresh job produces)."""
        explicit = dict(self._explicit)
        explicit[year] = days
        return NationalData(explicit, use_package=self._use_package, fallback=self.fallback)

    def has_year(self, year: int) -> bool:
        """True when the official schedule for ``year`` is known (CAL-02)."""
        return year in self._explicit or (self._use_package and year in _PACKAGE_YEARS)

    def loaded_years(self) -> list[int]:
        """Years with official data, ascending."""
        years = set(self._explicit)
        if self._use_package:
            years.update(_PACKAGE_YEARS)
        return sorted(years)

    def status(self, day: dt.date, fallback: str | None = None) -> str:
        """``holiday`` | ``makeup_workday`` | ``normal`` for ``day`` (CAL-01/CAL-02)."""
        return self.detail(day, fallback).status

    def is_provisional(self, day: dt.date) -> bool:
        """True when ``day`` falls in a year without official data (CAL-02)."""
        return not self.has_year(day.year)

    def detail(self, day: dt.date, fallback: str | None = None) -> NationalDay:
        """Status, holiday name and provisional flag of ``day``."""
        if isinstance(day, dt.datetime):
            raise TypeError("detail() takes a date, not a datetime")
        explicit = self._explicit.get(day.year)
        if explicit is not None:
            return NationalDay(day, explicit.get(day, NORMAL), None, False)
        if self._use_package and day.year in _PACKAGE_YEARS:
            if day in _cc_constants.workdays:
                return NationalDay(day, MAKEUP_WORKDAY, _cc_constants.workdays[day], False)
            if day in _cc_constants.holidays:
                return NationalDay(day, HOLIDAY, _cc_constants.holidays[day], False)
            return NationalDay(day, NORMAL, None, False)
        fallback = fallback or self.fallback
        _check_fallback(fallback)
        if fallback == STATUTORY_HOLIDAYS:
            name = dict(_statutory_holidays(day.year)).get(day)
            if name is not None:
                return NationalDay(day, HOLIDAY, name, True)
        return NationalDay(day, NORMAL, None, True)


def _check_fallback(fallback: str) -> None:
    if fallback not in FALLBACKS:
        raise ValueError(f"provisional_fallback must be one of {FALLBACKS}, got {fallback!r}")


def _check_year_data(year: int, days: Mapping[dt.date, str]) -> dict[dt.date, str]:
    checked: dict[dt.date, str] = {}
    for day, status in days.items():
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ValueError(f"national data keys must be dates, got {day!r}")
        if day.year != year:
            raise ValueError(f"national data for {year} contains {day.isoformat()}")
        if status not in STATUSES:
            raise ValueError(f"national status must be one of {STATUSES}, got {status!r}")
        checked[day] = status
    return checked
