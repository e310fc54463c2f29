"""Jobs of the tenant lifecycle: a tenant's own export, with progress, as a file to download."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from tenants.registry import get_tenant
from tenants.service import export_tenant
from workers.registry import tenant_job


def export_path(tenant_id: int, job_id: int) -> Path:
    return Path(current_app.instance_path) / "exports" / str(tenant_id) / f"export-{job_id}.zip"


@tenant_job("tenants.export", queue="long", timeout=3600, retry_intervals=(30, 120))
def export(job):
    """Everything the tenant owns, as JSON lines in a zip under the instance folder."""
    tenant = get_tenant(job.tenant_id)
    data = export_tenant(tenant, progress=job.progress)
    path = export_path(job.tenant_id, job.job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)  # a half-written file is never offered for download
    return {"file": path.name, "bytes": len(data)}
