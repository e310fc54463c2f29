"""Stored service report packs (SVC-40). :func:`monthly_pack` takes the moment it runs for (``as_of``,
aware), works out the previous month in the tenant's local time, and stores one
:class:`~core.service.reports_models.ServiceReportPack` per period with a decision SVC-40 saying what
it covers. A pack that exists already is returned as it is: a job run twice, or run again later for
the same month, builds nothing more.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.calendar.service import tenant_calendar
from core.db import db
from core.decisions import service as decisions
from core.errors import NotFound
from core.service import reports_rules as rules
from core.service.policy import svc_policy
from core.service.reports import bounds, statistics, summary
from core.service.reports_models import ServiceReportPack

SUBJECT = "service_report_pack"


def find(kind: str, key: str) -> ServiceReportPack | None:
    return db.session.scalars(select(ServiceReportPack).where(
        ServiceReportPack.kind == kind, ServiceReportPack.period_key == key)).first()


def get_pack(pack_id: int) -> ServiceReportPack:
    pack = db.session.scalars(select(ServiceReportPack).where(ServiceReportPack.id == pack_id)).first()
    if pack is None:
        raise NotFound("report pack not found")
    return pack


def packs(kind: str | None = None):
    """The statement of the tenant's packs, the latest period first."""
    stmt = select(ServiceReportPack)
    if kind:
        stmt = stmt.where(ServiceReportPack.kind == kind)
    return stmt.order_by(ServiceReportPack.first_day.desc(), ServiceReportPack.id.desc())


def _result(pack: ServiceReportPack, created: bool) -> dict:
    return {"kind": pack.kind, "period": pack.period_key, "pack_id": pack.id, "created": created,
            "summary": pack.summary}


def monthly_pack(as_of: dt.datetime, *, job_id: int | None = None, progress=None) -> dict:
    """SVC-40: the previous month's pack (run 2026-10-01 → September 2026)."""
    calendar, _ = tenant_calendar(as_of)
    period = rules.monthly_period(calendar.local_date(as_of))
    existing = find(period.kind, period.key)
    if existing is not None:
        return _result(existing, False)
    view = svc_policy(as_of)
    data = statistics(period, as_of=as_of, progress=progress)
    start, end = bounds(period)
    pack = ServiceReportPack(kind=period.kind, period_key=period.key, first_day=period.first_day,
                             last_day=period.last_day, period_start=start, period_end=end, as_of=as_of,
                             job_id=job_id, policy_version=view.version, summary=summary(data), data=data)
    try:
        with db.session.begin_nested():
            db.session.add(pack)
            db.session.flush()
    except IntegrityError:  # another run stored it meanwhile
        return _result(find(period.kind, period.key), False)
    s = pack.summary
    decision = decisions.record(
        "SVC-40", SUBJECT, pack.id, policy=view,
        outcome={"kind": pack.kind, "period": pack.period_key},
        facts={"first_day": pack.first_day, "last_day": pack.last_day, "as_of": as_of, **s},
        reason_zh=f"月度服务报表：{period.first_day.isoformat()}至{period.last_day.isoformat()}"
                  f"（受理{s.get('orders_requested', 0)}单，完工{s.get('orders_completed', 0)}单，"
                  f"月末未完{s.get('open_orders', 0)}单）",
        reason_en=f"monthly service report {period.first_day.isoformat()}..{period.last_day.isoformat()} "
                  f"({s.get('orders_requested', 0)} orders requested, {s.get('orders_completed', 0)} completed, "
                  f"{s.get('open_orders', 0)} open at the month's end)")
    pack.decision_id = decision.id
    db.session.flush()
    return _result(pack, True)
