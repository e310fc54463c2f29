"""Case numbers (CMP-05): ``{YY}{MM}{serial:02}`` by default, the serial reset each month in the tenant's
time zone, consecutive and gap-free under concurrency, widened when it outgrows its digits.

:func:`period_key` and :func:`format_number` are pure; :func:`allocate` takes the next serial of the
period from ``complaint_counters`` with an ``UPDATE … RETURNING`` that holds the counter row until the
transaction ends: two creates in the same period wait for each other, and a create that rolls back
gives its serial back, so numbers have no gaps.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.complaints.models import ComplaintCounter
from core.db import db
from core.errors import Conflict

_SERIAL = re.compile(r"\{serial(?::0([1-9]))?\}")


def period_key(local: dt.datetime | dt.date, reset: str) -> str:
    """The counter a case received at ``local`` (tenant time) draws from."""
    if reset == "monthly":
        return f"{local.year:04d}{local.month:02d}"
    if reset == "yearly":
        return f"{local.year:04d}"
    if reset == "never":
        return "all"
    raise ValueError(f"unknown cmp.numbering.reset {reset!r}")


def serial_width(fmt: str) -> int:
    match = _SERIAL.search(fmt)
    if match is None:
        raise ValueError("the format has no {serial}")
    return int(match.group(1) or 1)


def overflows(fmt: str, serial: int) -> bool:
    """The serial needs more digits than the format gives (CMP-05: the 100th case of ``{serial:02}``)."""
    return len(str(serial)) > serial_width(fmt)


def format_number(fmt: str, local: dt.datetime | dt.date, serial: int) -> str:
    """``{YY}{MM}{serial:02}`` of 2026-09 and 12 → ``260912``; serial 100 → ``2609100`` (widened)."""
    width = serial_width(fmt)
    text = _SERIAL.sub(str(serial).zfill(width), fmt)
    return (text.replace("{YYYY}", f"{local.year:04d}").replace("{YY}", f"{local.year % 100:02d}")
            .replace("{MM}", f"{local.month:02d}"))


def allocate(period: str) -> int:
    """The next serial of ``period`` in the current tenant (locks the counter row until commit)."""
    stmt = (update(ComplaintCounter).where(ComplaintCounter.period == period)
            .values(last_serial=ComplaintCounter.last_serial + 1).returning(ComplaintCounter.last_serial))
    serial = db.session.execute(stmt).scalar()
    if serial is not None:
        return serial
    try:
        with db.session.begin_nested():
            db.session.add(ComplaintCounter(period=period, last_serial=1))
        return 1
    except IntegrityError:  # another create made the counter first: take the next one after it
        serial = db.session.execute(stmt).scalar()
        if serial is None:  # pragma: no cover - the row exists now
            raise Conflict("could not number the case; try again") from None
        return serial


def counter_value(period: str) -> int:
    return db.session.scalar(select(ComplaintCounter.last_serial).where(ComplaintCounter.period == period)) or 0
