"""Jobs of the complaint reports (DOMAIN.md §13, CMP-80, CMP-81). Each runs for one tenant "as of" a
moment (``as_of``: an ISO time with its offset, default now) and is idempotent: one pack per kind and
period, so a second run — the same slot, a retry, a later day of the same period — changes nothing.

- ``cmp.monthly_statistics`` (1st of the month, 02:16): the previous month's closed cases, due by
  ``cmp.reports.monthly_due_day``.
- ``cmp.weekly_reports`` (daily 09:12): on the report day (``cmp.reports.weekly_day``, default Monday)
  the previous week's report; the other days find it built (or build a missed one).
- ``cmp.half_year_review`` (daily 02:22): on the first day of a ``cmp.reports.half_year`` window (or
  the first run inside it) the review of the six months before it.
- ``cmp.daily_digest`` (every 5 minutes at :x4 and :x9): from 5 minutes before ``cmp.digest.at`` (07:50)
  yesterday's digest per team, heads notified; before that time and once built, nothing.
- ``cmp.report_export`` (on demand): the statistics of a period as CSV and JSON files to download,
  with progress.

The cadences are tenant-independent (the fan-out evaluates them); the tenant's settings decide inside
the job whether there is anything to build, so a changed setting needs no new schedule.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app

from core.complaints import reports_packs as packs
from core.complaints import reports_rules as rules
from core.complaints.reports import statistics
from core.complaints.reports_export import csv_bytes, json_bytes, report_sections
from core.db import utcnow
from core.errors import InvalidInput
from workers.registry import tenant_job

PERIODIC = (
    ("cmp.monthly_statistics", "16 2 1 * *"),
    ("cmp.weekly_reports", "12 9 * * *"),
    ("cmp.half_year_review", "22 2 * * *"),
    ("cmp.daily_digest", "4-59/5 * * * *"),
)


def _as_of(as_of: str | None) -> dt.datetime:
    if not as_of:
        return utcnow()
    try:
        moment = dt.datetime.fromisoformat(as_of)
    except ValueError:
        raise InvalidInput("as_of is not an ISO time", fields={"as_of": ["e.g. 2026-10-01T02:00:00+08:00"]}) from None
    if moment.tzinfo is None:
        raise InvalidInput("as_of needs its offset", fields={"as_of": ["e.g. 2026-10-01T02:00:00+08:00"]})
    return moment


@tenant_job("cmp.monthly_statistics", timeout=1800)
def monthly_statistics(job, *, as_of: str | None = None):
    """CMP-80 monthly statistics (1st of the month)."""
    return packs.monthly_statistics(_as_of(as_of), job_id=job.job_id, progress=job.progress)


@tenant_job("cmp.weekly_reports", timeout=1800)
def weekly_reports(job, *, as_of: str | None = None):
    """CMP-80 weekly report (on ``cmp.reports.weekly_day``)."""
    return packs.weekly_report(_as_of(as_of), job_id=job.job_id, progress=job.progress)


@tenant_job("cmp.half_year_review", timeout=1800)
def half_year_review(job, *, as_of: str | None = None):
    """CMP-80 half-year review (in the ``cmp.reports.half_year`` windows)."""
    return packs.half_year_review(_as_of(as_of), job_id=job.job_id, progress=job.progress)


@tenant_job("cmp.daily_digest")
def daily_digest(job, *, as_of: str | None = None):
    """CMP-81 daily digest (from ``cmp.digest.at``)."""
    return packs.daily_digest(_as_of(as_of), job_id=job.job_id, progress=job.progress)


def export_dir(tenant_id: int) -> Path:
    path = Path(current_app.instance_path) / "complaint_reports" / str(tenant_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_path(tenant_id: int, job_id: int, fmt: str) -> Path:
    """Where an export job's file is: derived from the tenant and the job, never from an argument."""
    return export_dir(tenant_id) / f"report-{job_id}.{fmt}"


def _day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} is not a date", fields={field: ["YYYY-MM-DD"]}) from None


@tenant_job("cmp.report_export", queue="long", timeout=3600)
def report_export(job, *, date_from: str, date_to: str, basis: str = "received", as_of: str | None = None):
    """CMP-80 statistics of local days ``date_from``..``date_to`` (cases received or closed in them) as
    ``report-<job>.csv`` and ``.json``; the result names the files and carries the summary."""
    try:
        period = rules.custom_period(_day(date_from, "date_from"), _day(date_to, "date_to"), basis)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"date_to": [str(exc)]}) from None
    report = statistics(period, as_of=_as_of(as_of), progress=job.progress)
    for fmt, content in (("json", json_bytes(report)), ("csv", csv_bytes(report_sections(report)))):
        path = export_path(job.tenant_id, job.job_id, fmt)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(path)
    return {"file": export_path(job.tenant_id, job.job_id, "csv").name, "period": period.key, "basis": basis,
            "summary": report["summary"]}
