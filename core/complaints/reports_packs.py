"""Scheduled complaint report packs (CMP-80) and the daily digest (CMP-81), stored per tenant.

Each builder takes the moment it runs for (``as_of``, aware), works out the period in the tenant's
local time under the ``cmp`` version in force then (:mod:`core.complaints.reports_rules`), and stores
one :class:`~core.complaints.reports_models.ComplaintReportPack` per (kind, period) with a decision
(CMP-80 or CMP-81) that says what it covers and when it is due. A pack that exists already is
returned as it is: a job run twice, or run again later for the same period, builds nothing more.

- :func:`monthly_statistics` — the previous month's closed cases, due by ``cmp.reports.monthly_due_day``.
- :func:`weekly_report` — the 7 days before the latest ``cmp.reports.weekly_day``, cases received.
- :func:`half_year_review` — inside a ``cmp.reports.half_year`` window: the 6 months before it.
- :func:`daily_digest` — from ``cmp.digest.at`` (less :data:`~core.complaints.reports_rules.DIGEST_LEAD`):
  yesterday's unresolved issues and new cases per team, each team's head notified once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.accounts.people import People
from core.calendar.service import tenant_calendar
from core.complaints import reports_queries as queries
from core.complaints import reports_rules as rules
from core.complaints.policy import cmp_policy
from core.complaints.reports import bounds, statistics
from core.complaints.reports_models import ComplaintReportPack
from core.db import db
from core.decisions import service as decisions
from core.errors import NotFound
from core.notifications.service import notify

SUBJECT = "complaint_report_pack"
#: who gets the digest of cases with no department, or of a department without a head
DIGEST_FALLBACK_ROLE = "cs_manager"
_TITLES = {rules.MONTHLY: ("月度投诉统计", "monthly complaint statistics"),
           rules.WEEKLY: ("投诉周报", "weekly complaint report"),
           rules.HALF_YEAR: ("半年度投诉回顾", "half-year complaint review"),
           rules.DIGEST: ("投诉日报", "daily complaint digest")}
_BASIS = {"closed": ("已结案", "closed"), "received": ("受理", "received")}


def find(kind: str, key: str) -> ComplaintReportPack | None:
    return db.session.scalars(select(ComplaintReportPack).where(
        ComplaintReportPack.kind == kind, ComplaintReportPack.period_key == key)).first()


def get_pack(pack_id: int) -> ComplaintReportPack:
    pack = db.session.scalars(select(ComplaintReportPack).where(ComplaintReportPack.id == pack_id)).first()
    if pack is None:
        raise NotFound("report pack not found")
    return pack


def packs(kind: str | None = None):
    """The statement of the tenant's packs, the latest period first."""
    stmt = select(ComplaintReportPack)
    if kind:
        stmt = stmt.where(ComplaintReportPack.kind == kind)
    return stmt.order_by(ComplaintReportPack.first_day.desc(), ComplaintReportPack.id.desc())


def _result(pack: ComplaintReportPack, created: bool) -> dict:
    return {"kind": pack.kind, "period": pack.period_key, "pack_id": pack.id, "created": created,
            "due_on": pack.due_on.isoformat() if pack.due_on else None, "summary": pack.summary}


def _store(period: rules.Period, data: dict, summary: dict, *, as_of: dt.datetime, job_id: int | None,
           view) -> tuple[ComplaintReportPack, bool]:
    """Insert the pack unless another run stored it meanwhile (the unique key decides)."""
    start, end = bounds(period)
    pack = ComplaintReportPack(kind=period.kind, period_key=period.key, first_day=period.first_day,
                               last_day=period.last_day, basis=period.basis, period_start=start, period_end=end,
                               due_on=period.due_on, as_of=as_of, job_id=job_id, policy_version=view.version,
                               summary=summary, data=data)
    try:
        with db.session.begin_nested():
            db.session.add(pack)
            db.session.flush()
    except IntegrityError:
        return find(period.kind, period.key), False
    return pack, True


def _decide(pack: ComplaintReportPack, rule_id: str, view, reason_zh: str, reason_en: str, facts: dict) -> None:
    decision = decisions.record(
        rule_id, SUBJECT, pack.id, policy=view,
        outcome={"kind": pack.kind, "period": pack.period_key, "due_on": pack.due_on},
        facts={"first_day": pack.first_day, "last_day": pack.last_day, "basis": pack.basis, "as_of": pack.as_of,
               **facts},
        reason_zh=reason_zh, reason_en=reason_en)
    pack.decision_id = decision.id
    db.session.flush()


def _statistics_pack(period: rules.Period, *, as_of: dt.datetime, job_id: int | None, progress, view) -> dict:
    existing = find(period.kind, period.key)
    if existing is not None:
        return _result(existing, False)
    data = statistics(period, as_of=as_of, progress=progress)
    pack, created = _store(period, data, data["summary"], as_of=as_of, job_id=job_id, view=view)
    if created:
        zh, en = _TITLES[period.kind]
        basis_zh, basis_en = _BASIS[period.basis]
        due_zh = f"，应于{period.due_on.isoformat()}前报送" if period.due_on else ""
        due_en = f", due by {period.due_on.isoformat()}" if period.due_on else ""
        _decide(pack, "CMP-80", view,
                f"{zh}：{period.first_day.isoformat()}至{period.last_day.isoformat()}{basis_zh}的投诉"
                f"（{data['summary']['issues']}件问题，{data['summary']['complainants']}位投诉人）{due_zh}",
                f"{en}: cases {basis_en} {period.first_day.isoformat()}..{period.last_day.isoformat()} "
                f"({data['summary']['issues']} issues, {data['summary']['complainants']} complainants){due_en}",
                {"issues": data["summary"]["issues"]})
    return _result(pack, created)


def _local(as_of: dt.datetime) -> dt.datetime:
    calendar, _ = tenant_calendar(as_of)
    return calendar.local(as_of)


def monthly_statistics(as_of: dt.datetime, *, job_id: int | None = None, progress=None) -> dict:
    """CMP-80: the previous month's closed cases (2026-10-01 → September, due 2026-10-10)."""
    view = cmp_policy(as_of)
    period = rules.monthly_period(_local(as_of).date(), view.values["reports"]["monthly_due_day"])
    return _statistics_pack(period, as_of=as_of, job_id=job_id, progress=progress, view=view)


def weekly_report(as_of: dt.datetime, *, job_id: int | None = None, progress=None) -> dict:
    """CMP-80: the week before the latest report day (``cmp.reports.weekly_day``)."""
    view = cmp_policy(as_of)
    period = rules.weekly_period(_local(as_of).date(), view.values["reports"]["weekly_day"])
    return _statistics_pack(period, as_of=as_of, job_id=job_id, progress=progress, view=view)


def half_year_review(as_of: dt.datetime, *, job_id: int | None = None, progress=None) -> dict:
    """CMP-80: inside a half-year window, the review of the six months before it; else nothing."""
    view = cmp_policy(as_of)
    day = _local(as_of).date()
    period = rules.half_year_period(day, view.values["reports"]["half_year"])
    if period is None:
        return {"kind": rules.HALF_YEAR, "created": False, "pack_id": None,
                "skipped": f"{day.isoformat()} is outside the half-year windows {view.values['reports']['half_year']}"}
    return _statistics_pack(period, as_of=as_of, job_id=job_id, progress=progress, view=view)


def daily_digest(as_of: dt.datetime, *, job_id: int | None = None, progress=None) -> dict:
    """CMP-81: once ``cmp.digest.at`` is near, yesterday's digest per team, each team's head notified."""
    progress = progress or (lambda *a, **k: None)
    view = cmp_policy(as_of)
    calendar, _ = tenant_calendar(as_of)
    local = calendar.local(as_of)
    at = view.values["digest"]["at"]
    day = rules.digest_day(local, at)
    if day is None:
        return {"kind": rules.DIGEST, "created": False, "pack_id": None,
                "skipped": f"the digest is ready from {at:%H:%M} ({rules.DIGEST_LEAD.seconds // 60} minutes before)"}
    period = rules.digest_period(day)
    existing = find(period.kind, period.key)
    if existing is not None:
        return _result(existing, False)
    start, cut_off = bounds(period)
    ready_at = dt.datetime.combine(local.date(), at, tzinfo=calendar.tz).astimezone(dt.timezone.utc)
    progress(0, 3, "unresolved")
    unresolved = queries.unresolved_issues(cut_off)
    progress(1, 3, "new")
    new = queries.new_cases(start, cut_off)
    progress(2, 3, "teams")
    teams = rules.digest_teams(unresolved, new)
    fallback = [uid for uid, _ in People().holders(DIGEST_FALLBACK_ROLE)]
    for team in teams:
        team["notify"] = [team["head_id"]] if team["head_id"] is not None else fallback
    summary = {"unresolved": len(unresolved), "overdue": sum(1 for r in unresolved if r["overdue"]),
               "new": len(new), "teams": len(teams)}
    data = {"period": {"kind": period.kind, "key": period.key, "day": day.isoformat(), "from": start.isoformat(),
                       "cut_off": cut_off.isoformat(), "ready_at": ready_at.isoformat(), "as_of": as_of.isoformat(),
                       "timezone": calendar.timezone},
            "summary": summary, "teams": teams}
    pack, created = _store(period, data, summary, as_of=as_of, job_id=job_id, view=view)
    if created:
        _decide(pack, "CMP-81", view,
                f"投诉日报：截至{day.isoformat()} 24:00未解决{summary['unresolved']}件（逾期{summary['overdue']}件），"
                f"当日新增{summary['new']}件，分{summary['teams']}个部门通知负责人",
                f"daily digest: {summary['unresolved']} issues unresolved at {day.isoformat()} 24:00 "
                f"({summary['overdue']} overdue), {summary['new']} new cases that day, {summary['teams']} teams notified",
                {"cut_off": cut_off, "ready_at": ready_at})
        _notify_teams(pack, teams, day, ready_at)
    progress(3, 3, "done")
    return _result(pack, created)


def _notify_teams(pack: ComplaintReportPack, teams: list[dict], day: dt.date, ready_at: dt.datetime) -> None:
    """Each team's head (or the fallback role) once per day and team (dedupe key)."""
    for team in teams:
        counts = team["counts"]
        name = team["department"] or "未分配部门"
        notify(team["notify"], kind="cmp.daily_digest", rule_id="CMP-81", subject_type=SUBJECT, subject_id=pack.id,
               dedupe_key=f"CMP-81:{day.isoformat()}:{team['department_id'] or 'none'}", due_at=ready_at,
               title_zh=f"{day.isoformat()} 投诉日报（{name}）：未解决{counts['unresolved']}件，新增{counts['new']}件",
               title_en=f"Complaint digest {day.isoformat()} ({team['department'] or 'no department'}): "
                        f"{counts['unresolved']} unresolved, {counts['new']} new",
               body_zh="未解决：" + "、".join(c["number"] for c in team["unresolved"]) if team["unresolved"] else None,
               body_en="Unresolved: " + ", ".join(c["number"] for c in team["unresolved"]) if team["unresolved"] else None)


BUILDERS = {rules.MONTHLY: monthly_statistics, rules.WEEKLY: weekly_report, rules.HALF_YEAR: half_year_review,
            rules.DIGEST: daily_digest}
