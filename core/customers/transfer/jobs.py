"""Jobs: ``cus.import`` (a file uploaded through the API) and ``cus.export`` (a file to download).

Files live under the instance folder, per tenant: ``transfers/<tenant>/<job>-upload.<fmt>``,
``<job>-report.csv`` and ``<job>-export.<fmt>``. The job arguments are the format and flags only;
paths are derived from the tenant and the job id, so a job never reads another tenant's file."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from core.customers.transfer.exports import export_customers
from core.customers.transfer.formats import FileProblem
from core.customers.transfer.imports import run_import
from core.errors import InvalidInput
from tenants.registry import get_tenant
from workers.registry import tenant_job


def transfer_dir(tenant_id: int) -> Path:
    path = Path(current_app.instance_path) / "transfers" / str(tenant_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(tenant_id: int, token: str, fmt: str) -> Path:
    return transfer_dir(tenant_id) / f"upload-{token}.{fmt}"


def report_path(tenant_id: int, job_id: int) -> Path:
    return transfer_dir(tenant_id) / f"import-{job_id}-report.csv"


def export_path(tenant_id: int, job_id: int, fmt: str) -> Path:
    return transfer_dir(tenant_id) / f"export-{job_id}.{fmt}"


@tenant_job("cus.import", queue="long", timeout=3600, retry_intervals=(30, 120))
def import_customers(job, *, upload: str, fmt: str, created_by: int | None = None):
    """Import an uploaded file (see :mod:`core.customers.transfer.imports`); the result counts rows,
    imported, failed and warnings, and names the row-level report when there is one."""
    if not upload.isalnum():
        raise InvalidInput("bad upload token", fields={"upload": ["letters and digits only"]})
    tenant = get_tenant(job.tenant_id)
    source = upload_path(job.tenant_id, upload, fmt)
    report = report_path(job.tenant_id, job.job_id)
    try:
        result = run_import(source, fmt, region=tenant.region or "CN", created_by=created_by,
                            progress=job.progress, report_path=report)
    except FileProblem as problem:
        raise InvalidInput(problem.en, fields={"file": [problem.en]}, reason_zh=problem.zh) from problem
    return {**result.summary(), "report": report.name if result.problems else None}


@tenant_job("cus.export", queue="long", timeout=3600, retry_intervals=(30, 120))
def export(job, *, fmt: str = "csv", masked: bool = True, purpose: str = ""):
    """All customers of the tenant as CSV (UTF-8 BOM) or XLSX; PII masked unless ``masked`` is false.
    The purpose stays in the job's arguments: the export log (CUS-74)."""
    tenant = get_tenant(job.tenant_id)
    path = export_path(job.tenant_id, job.job_id, fmt)
    tmp = path.with_suffix(".part")
    rows = export_customers(tmp, fmt, timezone=tenant.timezone, masked=masked, progress=job.progress)
    tmp.replace(path)
    return {"file": path.name, "rows": rows, "format": fmt, "masked": masked}
