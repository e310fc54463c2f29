"""What the staff pages share: who counts as a manager of staff records (the API's
:data:`~web.api.staff_ledger.LEDGER_MANAGERS`), the names of the people shown, form values made ready
for the API's schemas, and one way to run a step and keep the form on a refusal.

The pure helpers (:func:`month_of`, :func:`form_input`, :func:`ranked`) need no request."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, g
from marshmallow import ValidationError
from sqlalchemy import select

from core.accounts.models import Department, User
from core.db import db
from core.errors import KehuError
from web.api.staff_ledger import LEDGER_MANAGERS

#: who scores employees and answers score appeals (the API's reviewers, STF-40/44)
from web.api.staff_scorecards import REVIEWERS  # noqa: F401  (re-exported for the pages)


def is_manager(user) -> bool:
    return user.has_role(*LEDGER_MANAGERS)


def may_see_user(user_id: int | None) -> None:
    """An employee sees their own staff records; a manager anyone's (403 otherwise), as the API."""
    if user_id != g.user.id and not is_manager(g.user):
        abort(403)


# ------------------------------------------------------------------------------------ pure helpers

def month_of(text: str | None) -> dt.date | None:
    """``YYYY-MM`` → the month's first day; None for an empty or malformed text, or a year the pages could
    not step back or forward from (before 1900, after 2999)."""
    try:
        month = dt.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        return None
    return month if 1900 <= month.year <= 2999 else None


def month_text(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def shift_month(month: dt.date, by: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


def local_input(value: str, timezone: str) -> str:
    """A ``datetime-local`` input (``2026-12-07T10:30``, no zone) as an aware ISO text in ``timezone``;
    a text that already has a zone, or is not a time, is returned as it is (the schema judges it)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        return value
    return moment.replace(tzinfo=ZoneInfo(timezone)).isoformat()


def form_input(values: dict, names, *, times=(), lists=(), flags=(), timezone: str = "Asia/Shanghai") -> dict:
    """The typed values of ``names`` ready for an API schema: stripped, empty ones left out (their
    defaults apply), ``times`` made aware in the tenant's zone, ``lists`` one item a line, ``flags``
    (checkboxes) as booleans."""
    data = {}
    for name in names:
        raw = values.get(name)
        if name in flags:
            data[name] = bool(raw) and raw not in ("0", "false")
            continue
        if isinstance(raw, list):
            raw = "\n".join(raw)
        text = (raw or "").strip()
        if not text:
            continue
        if name in lists:
            data[name] = [line.strip() for line in text.splitlines() if line.strip()]
        elif name in times:
            data[name] = local_input(text, timezone)
        else:
            data[name] = text
    return data


def ranked(cards) -> list[tuple[int, object]]:
    """Scorecards of one month and scheme as given (best first) with their rank; equal totals share
    a rank (1, 2, 2, 4)."""
    out, rank, previous = [], 0, None
    for position, card in enumerate(cards, start=1):
        if card.total != previous:
            rank, previous = position, card.total
        out.append((rank, card))
    return out


# ------------------------------------------------------------------------------------ reading

def offence_labels() -> dict[str, tuple[str, str]]:
    """``{offence code: (label_zh, label_en)}`` of the penalty catalog in force (codes without a label
    show as they are)."""
    from core.staff.policy import stf_policy

    catalog = stf_policy().values["catalog"]
    return {code: (entry.get("label_zh") or code, entry.get("label_en") or entry.get("label_zh") or code)
            for code, entry in catalog.items()}


def through(moment):
    """The local day through which a deadline ending at ``moment`` (24:00 of a day) runs."""
    from core.calendar.service import tenant_calendar
    from core.staff.appeals_rules import through_day

    if moment is None:
        return None
    calendar, _ = tenant_calendar(moment)
    return through_day(calendar, moment)


def names(ids) -> dict[int, str]:
    """Display names of the users ``ids`` (of the current tenant)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def employees() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.display_name)))


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


# ------------------------------------------------------------------------------------ writing

def attempt(step, form, locale: str):
    """Run ``step()`` and commit: ``(None, its result)``. On a refusal the transaction is rolled back,
    ``form`` takes the messages and ``(status, None)`` says what to answer (422 invalid, 409 refused
    step). 403 and 404 are not a form's business: they go to the error page."""
    try:
        result = step()
        db.session.commit()
        return None, result
    except ValidationError as err:
        db.session.rollback()
        form.fail(err, locale)
        return 422, None
    except KehuError as err:
        db.session.rollback()
        if err.status in (403, 404):
            raise
        form.fail(err, locale)
        return err.status, None
