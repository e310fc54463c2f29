"""An uploaded import file, checked and kept for the import job: the API and the portal take files the
same way. The type comes from the name (.csv or .xlsx), the size is capped, and the header is read now
(the rows are read by the job); a file that fails any check is not kept."""
from __future__ import annotations

import uuid

from core.customers.transfer import jobs as transfer_jobs
from core.customers.transfer.formats import FORMATS, FileProblem
from core.customers.transfer.imports import read_table

MAX_UPLOAD = 50 * 1024 * 1024


def keep_upload(tenant_id: int, upload) -> tuple[str, str]:
    """Check and keep ``upload`` (anything with ``filename`` and ``save(path)``): its token and format.
    Raises :class:`FileProblem` (English and Chinese reason); nothing is kept then."""
    filename = (upload.filename or "") if upload is not None else ""
    if not filename:
        raise FileProblem("choose a .csv or .xlsx file", "请选择要上传的.csv或.xlsx文件")
    fmt = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if fmt not in FORMATS:
        raise FileProblem("a .csv or .xlsx file is required", "请上传.csv或.xlsx文件")
    token = uuid.uuid4().hex
    path = transfer_jobs.upload_path(tenant_id, token, fmt)
    upload.save(path)
    try:
        if path.stat().st_size > MAX_UPLOAD:
            raise FileProblem(f"the file is larger than {MAX_UPLOAD // 2**20} MB: split it", "文件过大，请拆分")
        read_table(path, fmt)  # the header and the size are checked now; the rows in the job
    except FileProblem:
        path.unlink(missing_ok=True)
        raise
    return token, fmt
