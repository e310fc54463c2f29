"""Report sections of the service parts beside work orders (SVC-40): return-visit results (SVC-14),
contracts whose cover ends in the period (SVC-20..22) and duty periods that ended short (SVC-30/32).
Each is a section function of :class:`core.service.reports.ReportContext` (a query, then a pure
summary) listed in :data:`core.service.reports.SECTIONS`."""
from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from core.db import db
from core.service.contract_models import ServiceContract, ServiceRenewal
from core.service.duties_models import ServiceDuty, ServiceDutyRun
from core.service.return_visit_models import ServiceReturnVisit


def _rate(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _mean(values: list[int]) -> str | None:
    if not values:
        return None
    return str((Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def visit_results(visits: list[dict], until) -> dict:
    """SVC-14 over the visits due in the period: how many were done, done in time, still open past
    due; the customers' marks for attitude and skill; the outcomes."""
    done = [v for v in visits if v["state"] == "done"]
    in_time = [v for v in done if v["visited_at"] <= v["due_at"]]
    late_open = [v for v in visits if v["state"] in ("due", "overdue") and v["due_at"] < until]
    return {"due": len(visits), "done": len(done), "done_in_time": len(in_time),
            "done_rate": _rate(len(done), len(visits)), "in_time_rate": _rate(len(in_time), len(visits)),
            "overdue_open": len(late_open),
            "attitude_avg": _mean([v["attitude"] for v in done if v["attitude"] is not None]),
            "skill_avg": _mean([v["skill"] for v in done if v["skill"] is not None]),
            "outcomes": dict(sorted(Counter(v["outcome"] for v in done if v["outcome"]).items()))}


def return_visits(ctx) -> dict:
    rows = db.session.execute(select(
        ServiceReturnVisit.state, ServiceReturnVisit.due_at, ServiceReturnVisit.visited_at,
        ServiceReturnVisit.attitude, ServiceReturnVisit.skill, ServiceReturnVisit.outcome).where(
        ServiceReturnVisit.selected.is_(True), ServiceReturnVisit.due_at >= ctx.start,
        ServiceReturnVisit.due_at < ctx.end)).mappings().all()
    # as known at the report's moment: a visit recorded later is still open then
    visits = [{**r, "state": "due" if r["visited_at"] is not None and r["visited_at"] > ctx.as_of else r["state"]}
              for r in rows]
    return visit_results(visits, ctx.until)


def expiring_contracts(ctx) -> list[dict]:
    """Contracts and warranties whose cover ends in the period, with the renewal awaiting payment."""
    contracts = db.session.scalars(select(ServiceContract).where(
        ServiceContract.ends_on >= ctx.period.first_day, ServiceContract.ends_on <= ctx.period.last_day)
        .order_by(ServiceContract.ends_on, ServiceContract.id)).all()
    pending = {r.contract_id: r for r in db.session.scalars(select(ServiceRenewal).where(
        ServiceRenewal.contract_id.in_([c.id for c in contracts]) if contracts else False,
        ServiceRenewal.state == "awaiting_payment"))}
    return [{"contract_id": c.id, "customer_id": c.customer_id, "kind": c.kind, "subject": c.subject,
             "reference": c.reference, "ends_on": c.ends_on.isoformat(), "state": c.state,
             "renewal_pay_due_on": pending[c.id].pay_due_on.isoformat() if c.id in pending else None}
            for c in contracts]


def missed_duties(ctx) -> list[dict]:
    """Duty periods that ended in the period and were counted short (SVC-30, SVC-32 surveys)."""
    rows = db.session.execute(select(ServiceDutyRun, ServiceDuty.code, ServiceDuty.title, ServiceDuty.kind).join(
        ServiceDuty, ServiceDuty.id == ServiceDutyRun.duty_id).where(
        ServiceDutyRun.state == "missed", ServiceDutyRun.period_end >= ctx.period.first_day,
        ServiceDutyRun.period_end <= ctx.period.last_day).order_by(ServiceDutyRun.period_end, ServiceDutyRun.id)).all()
    return [{"duty_id": run.duty_id, "code": code, "title": title, "kind": kind,
             "period": f"{run.period_start.isoformat()}..{run.period_end.isoformat()}",
             "required": run.required, "done": run.done or 0} for run, code, title, kind in rows]
