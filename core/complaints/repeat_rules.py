"""Repeat complaints (二次投诉, CMP-12) and the complainant count of linked cases (CMP-13): pure rules
over case facts and the tenant calendar, no database.

A complaint is a repeat when the same customer (or a member of their household, CUS-14) complained
earlier about the same category or the same linked subject (``subject_ref``), and that earlier case is
still open or ended (closed, or resolved when not closed) no longer than ``cmp.repeat.window`` before
(default 90 days, counted as a calendar period: closed 2026-03-05 → window through 2026-06-03).
Rejected cases do not count.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from core.calendar import Duration

OPEN = ("received", "accepted", "in_progress")


@dataclass(frozen=True)
class CaseFacts:
    id: int
    received_at: dt.datetime
    category: str
    subject_ref: str | None
    status: str
    ended_at: dt.datetime | None = None  # closed_at, else resolved_at


@dataclass(frozen=True)
class RepeatFinding:
    earlier_id: int
    matched_on: str  # category | subject_ref
    earlier_open: bool
    window_through: dt.date | None  # the last day of the window (None while the earlier case is open)


def _subject(value: str | None) -> str | None:
    text = (value or "").strip().casefold()
    return text or None


def same_issue(new: CaseFacts, earlier: CaseFacts) -> str | None:
    """``"category"`` or ``"subject_ref"`` when the two are about the same thing, else None."""
    if new.category == earlier.category:
        return "category"
    if _subject(new.subject_ref) and _subject(new.subject_ref) == _subject(earlier.subject_ref):
        return "subject_ref"
    return None


def repeat_of(new: CaseFacts, earlier: Iterable[CaseFacts], calendar, window: Duration) -> RepeatFinding | None:
    """The most recent earlier case ``new`` repeats, or None. ``earlier`` are the complaints of the
    customer's household received before ``new``."""
    for case in sorted(earlier, key=lambda c: (c.received_at, c.id), reverse=True):
        if case.id == new.id or case.received_at > new.received_at or case.status == "rejected":
            continue
        matched = same_issue(new, case)
        if matched is None:
            continue
        if case.status in OPEN or case.ended_at is None:
            return RepeatFinding(case.id, matched, True, None)
        end = calendar.add_duration(case.ended_at, window)
        if new.received_at < end.utc:
            return RepeatFinding(case.id, matched, False, end.through)
    return None


def complainant_total(cases: Iterable[tuple[object | None, int]]) -> int:
    """CMP-13: complainants of an issue. ``cases`` are ``(household key, complainant_count)`` of the
    master and its linked cases; cases of one household count once (their largest count), cases
    without a known customer count each."""
    by_household: dict[object, int] = {}
    loose = 0
    for key, count in cases:
        count = max(1, int(count or 1))
        if key is None:
            loose += count
        else:
            by_household[key] = max(by_household.get(key, 0), count)
    return loose + sum(by_household.values())
