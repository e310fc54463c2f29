"""Template filters of the portal: times in the tenant's time zone, time left to a deadline, money."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_babel import gettext as _


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant shown in the tenant's time zone; a date as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        tenant = g.get("tenant")
        if tenant is not None:
            value = value.astimezone(ZoneInfo(tenant.timezone))
        return value.strftime(fmt)
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def due_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A deadline as Chinese regulations write it: midnight in the tenant's time zone is the end of the day
    before (``2026-12-03 24:00``, CAL ``working_day_deadline_time``), any other instant as ``|local``."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        tenant = g.get("tenant")
        local = value.astimezone(ZoneInfo(tenant.timezone)) if tenant is not None else value
        if (local.hour, local.minute, local.second) == (0, 0, 0) and fmt == "%Y-%m-%d %H:%M":
            return f"{(local - dt.timedelta(days=1)):%Y-%m-%d} 24:00"
    return local_time(value, fmt)


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh", d=days, h=hours)
    if hours:
        return _("%(h)sh %(m)smin", h=hours, m=minutes)
    return _("%(m)smin", m=minutes)


def time_left(due, now: dt.datetime | None = None, warn_hours: float = 4) -> dict:
    """``{"text", "state"}`` for a deadline: ``ok``, ``warn`` (less than ``warn_hours`` left), ``late``."""
    if due is None:
        return {"text": "", "state": "none"}
    if isinstance(due, str):
        due = dt.datetime.fromisoformat(due)
    if due.tzinfo is None:
        due = due.replace(tzinfo=dt.timezone.utc)
    seconds = (due - (now or now_utc())).total_seconds()
    if seconds < 0:
        return {"text": _("%(span)s overdue", span=_span(seconds)), "state": "late"}
    state = "warn" if seconds < warn_hours * 3600 else "ok"
    return {"text": _("%(span)s left", span=_span(seconds)), "state": state}


def money(value) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"


def pretty_json(value) -> str:
    """JSON for people: indented, Chinese as it is (not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def register(app: Flask) -> None:
    app.add_template_filter(pretty_json, "pretty_json")
    app.add_template_filter(local_time, "local")
    app.add_template_filter(due_time, "due")
    app.add_template_filter(money, "money")
    app.add_template_global(time_left, "time_left")
