"""Confidentiality levels of customers (CUS-71): classify, extend, declassify.

A manager of ``cus.secrecy.managers`` sets a customer's level with its custodian, its designated
viewers and an optional secrecy period (a manual CUS-71 decision with the reason). Above ``normal``
the customer is visible only to the custodian, the designated viewers and holders of an active
viewing grant (:mod:`.access`); everyone else gets 404. The daily job ``cus.declassify`` makes a
customer ``normal`` the day after its period (automatic CUS-71 decision) unless it was extended.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from core.calendar.service import tenant_calendar
from core.customers.confidentiality import secrecy_rules
from core.customers.confidentiality.models import CustomerSecrecy, SecrecyViewer
from core.customers.confidentiality.people import user
from core.customers.policy import cus_policy
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import InvalidInput


def of(customer_id: int) -> CustomerSecrecy | None:
    return db.session.scalars(select(CustomerSecrecy).where(CustomerSecrecy.customer_id == customer_id)).first()


def viewers(customer_id: int) -> list[int]:
    return sorted(db.session.scalars(select(SecrecyViewer.user_id).where(SecrecyViewer.customer_id == customer_id)))


def summary(customer_id: int) -> dict:
    row = of(customer_id)
    if row is None:
        return {"customer_id": customer_id, "level": "normal", "custodian_id": None, "secret_until": None,
                "viewer_ids": [], "extensions": 0, "decision_id": None}
    return {"customer_id": customer_id, "level": row.level, "custodian_id": row.custodian_id,
            "secret_until": row.secret_until, "viewer_ids": viewers(customer_id), "extensions": row.extensions,
            "decision_id": row.decision_id}


def classify(customer_id: int, *, level: str | None, custodian_id: int | None, viewer_ids: list[int],
             secret_until: dt.date | None, reason: str, decided_by: int, at: dt.datetime | None = None) -> dict:
    """Set the customer's level (CUS-71); a manual decision with ``reason``. Raises 422 with field
    errors (custodian and viewer list needed above normal; unknown users; a past period end)."""
    at = at or utcnow()
    view = cus_policy(at)
    level = level or view.values["secrecy"]["default_level"]
    viewer_ids = sorted(set(viewer_ids))
    errors = secrecy_rules.check_classification(level, custodian_id, viewer_ids)
    if not (reason or "").strip():
        errors["reason"] = ["a reason is required"]
    calendar, _ = tenant_calendar(at)
    if secret_until is not None and secret_until < calendar.local_date(at):
        errors["secret_until"] = ["the secrecy period cannot end in the past"]
    for field, ids in (("custodian_id", [custodian_id] if custodian_id else []), ("viewer_ids", viewer_ids)):
        for uid in ids:
            try:
                user(uid, field)
            except InvalidInput:
                errors.setdefault(field, []).append(f"no user {uid} in this tenant")
    if errors:
        raise InvalidInput("invalid classification", fields=errors)
    row = of(customer_id)
    before = row.level if row else "normal"
    previous = decisions.get(row.decision_id) if row and row.decision_id else None
    if row is None:
        row = CustomerSecrecy(customer_id=customer_id, extensions=0)
        db.session.add(row)
    extended = row.secret_until is not None and secret_until is not None and secret_until > row.secret_until
    row.level, row.custodian_id, row.secret_until, row.set_by = level, custodian_id, secret_until, decided_by
    if extended:
        row.extensions = (row.extensions or 0) + 1
    db.session.execute(delete(SecrecyViewer).where(SecrecyViewer.customer_id == customer_id))
    for uid in viewer_ids:
        db.session.add(SecrecyViewer(customer_id=customer_id, user_id=uid))
    until = f"，保密期限至{secret_until.isoformat()}" if secret_until else ""
    until_en = f", secret through {secret_until.isoformat()}" if secret_until else ""
    decision = decisions.record(
        "CUS-71", "customer", customer_id,
        outcome={"level": level, "previous_level": before, "custodian_id": custodian_id, "viewer_ids": viewer_ids,
                 "secret_until": secret_until, "extended": extended},
        reason_zh=f"密级由{secrecy_rules.LEVEL_ZH[before]}定为{secrecy_rules.LEVEL_ZH[level]}{until}：{reason}",
        reason_en=f"Level set from {before} to {level}{until_en}: {reason}",
        facts={"customer_id": customer_id}, policy=view, decided_by=decided_by, supersedes=previous)
    row.decision_id = decision.id
    db.session.flush()
    return summary(customer_id)


def declassify_due(now: dt.datetime, progress=None) -> dict:
    """Every classified customer whose secrecy period ended before today (tenant time) becomes
    normal, with an automatic CUS-71 decision. A re-run finds nothing more to do."""
    calendar, _ = tenant_calendar(now)
    today = calendar.local_date(now)
    rows = list(db.session.scalars(select(CustomerSecrecy).where(
        CustomerSecrecy.level != "normal", CustomerSecrecy.secret_until.is_not(None),
        CustomerSecrecy.secret_until < today).order_by(CustomerSecrecy.customer_id)))
    done = []
    for i, row in enumerate(rows):
        if not secrecy_rules.declassify_due(row.level, row.secret_until, today):
            continue
        view = cus_policy(row.secret_until + dt.timedelta(days=1))
        zh, en = secrecy_rules.declassify_reason(row.level, row.secret_until)
        decision = decisions.record(
            "CUS-71", "customer", row.customer_id,
            outcome={"level": "normal", "previous_level": row.level, "declassified_on": today},
            reason_zh=zh, reason_en=en, policy=view,
            facts={"customer_id": row.customer_id, "secret_until": row.secret_until, "extensions": row.extensions})
        row.level, row.decision_id = "normal", decision.id
        done.append(row.customer_id)
        if progress:
            progress(i + 1, len(rows))
    db.session.flush()
    return {"declassified": done}
