"""Jobs of the service reports (DOMAIN.md §13, SVC-40). Each runs for one tenant "as of" a moment
(``as_of``: an ISO time with its offset, default now).

- ``svc.monthly_reports`` (the 1st of the month, 03:03): the previous month's pack (open orders, on-time
  rate per milestone, fees collected vs remitted, statistics), stored once: a second run — the same slot,
  a retry, a made-up run later that month — changes nothing.
- ``svc.report_export`` (on demand): the report of a period as a CSV (UTF-8 with BOM) or JSON file to
  download, with progress by section.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app

from core.errors import InvalidInput
from core.service import reports_packs as packs
from core.service import reports_rules as rules
from core.service.reports import statistics
from core.service.reports_export import csv_bytes, json_bytes, report_tables
from core.sla.jobs import moment_of
from workers.registry import tenant_job

MONTHLY_JOB = "svc.monthly_reports"
MONTHLY_CADENCE = "3 3 1 * *"
EXPORT_JOB = "svc.report_export"
FORMATS = ("csv", "json")


@tenant_job(MONTHLY_JOB, timeout=1800)
def monthly_reports(job, *, as_of: str | None = None):
    """SVC-40 monthly pack (the 1st of the month)."""
    moment = moment_of(as_of)
    return {**packs.monthly_pack(moment, job_id=job.job_id, progress=job.progress), "as_of": moment.isoformat()}


def export_path(tenant_id: int, job_id: int, fmt: str) -> Path:
    """Where an export job's file is: derived from the tenant and the job, never from an argument."""
    path = Path(current_app.instance_path) / "service_reports" / str(tenant_id)
    path.mkdir(parents=True, exist_ok=True)
    return path / f"report-{job_id}.{fmt}"


def _day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} is not a date", fields={field: ["YYYY-MM-DD"]}) from None


@tenant_job(EXPORT_JOB, queue="long", timeout=3600)
def report_export(job, *, date_from: str, date_to: str, format: str = "csv", as_of: str | None = None):
    """SVC-40 report of local days ``date_from``..``date_to`` as ``report-<job>.<format>``."""
    if format not in FORMATS:
        raise InvalidInput("unknown format", fields={"format": [f"one of {', '.join(FORMATS)}"]})
    try:
        period = rules.custom_period(_day(date_from, "date_from"), _day(date_to, "date_to"))
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"date_to": [str(exc)]}) from None
    report = statistics(period, as_of=moment_of(as_of), progress=job.progress)
    content = json_bytes(report) if format == "json" else csv_bytes(report_tables(report))
    path = export_path(job.tenant_id, job.job_id, format)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    tmp.replace(path)
    return {"file": path.name, "format": format, "period": period.key}
