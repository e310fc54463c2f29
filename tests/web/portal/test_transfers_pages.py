"""Portal pages of imports and exports (/data): an uploaded file starts the API's import job, the job
page shows its progress and summary, the row-error report and export files download for the user who
started the job (or a manager) only, a bad file is refused next to its field with nothing imported."""
import csv
import io
import re

import pytest
from sqlalchemy import text

from tests.web.portal.test_login import _csrf, login

GOOD_AND_BAD = (
    "姓名,手机,区县,备注\r\n"
    "李娜,139 0000 1111,海淀区,老客户\r\n"      # row 2: lands
    ",13900002222,,\r\n"                        # row 3: no name
    "张伟,12345678901,,\r\n"                    # row 4: invalid mobile (CUS-10)
    "孙七,13900003333,,\r\n"                    # row 5: lands
)


def _count(owner_engine, table, tenant_id):
    with owner_engine.connect() as conn:
        return conn.execute(text(f"select count(*) from {table} where tenant_id = :t"), {"t": tenant_id}).scalar()


def _token(client, slug="tenant-a"):
    return _csrf(client.get(f"/t/{slug}/data").get_data(as_text=True))


def _upload(client, content: bytes, filename="客户.csv", slug="tenant-a"):
    return client.post(f"/t/{slug}/data/imports", content_type="multipart/form-data",
                       data={"csrf_token": _token(client, slug), "file": (io.BytesIO(content), filename)})


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))


def test_index_offers_what_the_user_may_run(client, two_tenants, make_tenant):
    a, _b = two_tenants
    login(client, "tenant-a")  # tenant_admin: every import and export
    page = client.get("/t/tenant-a/data").get_data(as_text=True)
    for section in ("customer-import", "customer-export", "complaint-export", "service-export", "tenant-export"):
        assert f'id="{section}"' in page
    assert "客户导入" in page and 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    assert 'name="unmasked"' in page  # tenant admin may export unmasked (CUS-70)
    client.get("/t/tenant-a/lang/en")
    make_tenant.user(a, "finance1", roles=["finance"])
    client.post("/t/tenant-a/logout", data={"csrf_token": _token(client)})
    login(client, "tenant-a", "finance1")
    page = client.get("/t/tenant-a/data").get_data(as_text=True)
    assert 'id="service-export"' in page
    assert 'id="customer-import"' not in page and 'id="customer-export"' not in page
    assert client.post("/t/tenant-a/data/imports", data={"csrf_token": _token(client)}).status_code == 403
    make_tenant.user(a, "sales9", roles=["salesperson"])
    client.post("/t/tenant-a/logout", data={"csrf_token": _token(client)})
    login(client, "tenant-a", "sales9")
    home = client.get("/t/tenant-a/").get_data(as_text=True)
    assert 'data-nav="jobs"' not in home  # nothing to run: no menu item
    assert client.get("/t/tenant-a/data").status_code == 200  # the page still lists the user's own jobs


def test_upload_imports_good_rows_and_reports_bad_ones(client, two_tenants, owner_engine):
    a, b = two_tenants
    login(client, "tenant-a")
    job_id = _job_id(_upload(client, "\ufeff".encode() + GOOD_AND_BAD.encode("utf-8")))
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    assert "客户导入" in page and "已完成" in page
    assert re.search(r'<progress max="100" value="100">', page)
    figures = dict(re.findall(r'data-figure="(\w+)"><b>(\d+)</b>', page))
    assert figures == {"rows": "4", "imported": "2", "failed": "2", "warnings": "0"}
    assert f"/t/tenant-a/data/jobs/{job_id}/report" in page
    assert 'http-equiv="refresh"' not in page  # a finished job's page stops refreshing
    report = client.get(f"/t/tenant-a/data/jobs/{job_id}/report")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.data.startswith(b"\xef\xbb\xbf")  # opens in Excel
    assert report.data == _api_report(client, a, job_id)  # the very file the API serves
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert rows[0] == ["行号 row", "级别 level", "字段 field", "原因 reason", "已有客户 existing_id"]
    by_row = {int(r[0]): r[1:4] for r in rows[1:]}
    assert by_row[3] == ["error", "name", "required"]
    assert by_row[4][:2] == ["error", "phones.0.number"] and by_row[4][2]
    assert _count(owner_engine, "customers", a.id) == 2
    assert _count(owner_engine, "customers", b.id) == 0
    # the recent jobs of the index show it with its bar
    index = client.get("/t/tenant-a/data").get_data(as_text=True)
    assert f'data-job="{job_id}"' in index and f'href="/t/tenant-a/jobs/{job_id}"' in index
    assert re.search(rf'data-job="{job_id}".*?<progress max="100" value="100">', index, re.S)
    assert 'data-reload="1"' not in index  # live bars, but no reload of a page with forms


def _api_report(client, handle, job_id):
    return client.get(f"/api/v1/customers/imports/{job_id}/report", headers=handle.headers()).data


def test_import_without_problems_has_no_report(client, two_tenants):
    login(client, "tenant-a")
    job_id = _job_id(_upload(client, "姓名,手机\n李娜,13900001111\n".encode("utf-8")))
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    assert "每一行都已导入" in page and "/report" not in page
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/report").status_code == 404


def test_xlsx_upload(client, two_tenants, owner_engine):
    import openpyxl

    a, _b = two_tenants
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机"])
    book.active.append(["李娜", 13900001111])
    buffer = io.BytesIO()
    book.save(buffer)
    login(client, "tenant-a")
    job_id = _job_id(_upload(client, buffer.getvalue(), "客户.xlsx"))
    assert client.get(f"/t/tenant-a/jobs/{job_id}/status").get_json()["result"]["imported"] == 1
    assert _count(owner_engine, "customers", a.id) == 1


@pytest.mark.parametrize("content, filename, message", [
    (b"name,mobile\n", "customers.txt", "请上传.csv或.xlsx文件"),                # wrong type
    (b"", "customers.csv", "文件为空"),                                          # empty
    ("手机,备注\n13900001111,x\n".encode(), "customers.csv", "表头缺少“姓名/名称”列"),  # bad header
    (b"PK\x03\x04 not really a workbook", "customers.xlsx", "不是可读取的XLSX文件"),
    (b"\xff\xfe\x00\x81\x30\x81\x30" * 3, "customers.csv", "既不是UTF-8也不是GBK"),
    ("姓名,手机\n" + "李娜,13900001111\n" * 30, "customers.csv", "文件过大"),  # over the (lowered) limit
])
def test_bad_upload_is_refused_at_its_field_and_nothing_imported(client, two_tenants, owner_engine, monkeypatch,
                                                                  content, filename, message):
    from core.customers.transfer import uploads

    a, _b = two_tenants
    monkeypatch.setattr(uploads, "MAX_UPLOAD", 200)
    login(client, "tenant-a")
    r = _upload(client, content.encode() if isinstance(content, str) else content, filename)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    error = re.search(r'<p class="field-error" role="alert" id="e-file">([^<]*)</p>', page)
    assert error and message in error.group(1), page
    assert 'id="customer-import"' in page  # the form again
    assert _count(owner_engine, "customers", a.id) == 0
    assert _count(owner_engine, "jobs", a.id) == 0


def test_request_over_the_servers_limit_is_the_form_again(client, app, two_tenants, owner_engine, monkeypatch):
    a, _b = two_tenants
    login(client, "tenant-a")
    token = _token(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    r = client.post("/t/tenant-a/data/imports", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(b"name\n" + b"x" * 5000), "c.csv")})
    assert r.status_code == 413
    assert re.search(r'id="e-file">文件过大，请拆分<', r.get_data(as_text=True))
    assert _count(owner_engine, "jobs", a.id) == 0


def test_no_file_chosen(client, two_tenants):
    login(client, "tenant-a")
    r = client.post("/t/tenant-a/data/imports", data={"csrf_token": _token(client)})
    assert r.status_code == 422 and "请选择要上传的.csv或.xlsx文件" in r.get_data(as_text=True)
    client.get("/t/tenant-a/lang/en")
    r = client.post("/t/tenant-a/data/imports", data={"csrf_token": _token(client)})
    assert r.status_code == 422 and "choose a .csv or .xlsx file" in r.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(client, two_tenants, owner_engine):
    a, _b = two_tenants
    login(client, "tenant-a")
    r = client.post("/t/tenant-a/data/imports", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(GOOD_AND_BAD.encode()), "c.csv")})
    assert r.status_code == 400 and _count(owner_engine, "jobs", a.id) == 0


def test_status_endpoint_has_the_figures_of_the_api(client, two_tenants):
    a, _b = two_tenants
    login(client, "tenant-a")
    job_id = _job_id(_upload(client, GOOD_AND_BAD.encode("utf-8")))
    mine = client.get(f"/t/tenant-a/jobs/{job_id}/status")
    assert mine.status_code == 200 and mine.is_json
    api = client.get(f"/api/v1/jobs/{job_id}", headers=a.headers()).get_json()
    body = mine.get_json()
    for key in ("id", "name", "status", "progress_done", "progress_total", "percent", "result", "error",
                "attempts", "created_by", "enqueued_at", "ended_at"):
        assert body[key] == api[key], key
    assert body["status_label"] == "已完成" and body["title"] == "客户导入"


def test_another_users_job_is_404_but_a_managers_is_not(client, two_tenants, make_tenant):
    a, _b = two_tenants
    make_tenant.user(a, "assistant1", roles=["assistant"])
    make_tenant.user(a, "assistant2", roles=["assistant"])
    make_tenant.user(a, "boss", roles=["gm"])
    login(client, "tenant-a", "assistant1")
    job_id = _job_id(_upload(client, GOOD_AND_BAD.encode("utf-8")))
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/report").status_code == 200
    client.post("/t/tenant-a/logout", data={"csrf_token": _token(client)})
    login(client, "tenant-a", "assistant2")
    for url in (f"/jobs/{job_id}", f"/jobs/{job_id}/status", f"/data/jobs/{job_id}/report",
                f"/data/jobs/{job_id}/download"):
        assert client.get(f"/t/tenant-a{url}").status_code == 404, url
    assert f'data-job="{job_id}"' not in client.get("/t/tenant-a/data").get_data(as_text=True)
    client.post("/t/tenant-a/logout", data={"csrf_token": _token(client)})
    login(client, "tenant-a", "boss")
    assert client.get(f"/t/tenant-a/jobs/{job_id}").status_code == 200
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/report").status_code == 200
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/download").status_code == 404  # an import has no file


def test_another_tenants_job_is_404(client, two_tenants):
    login(client, "tenant-b")
    job_id = _job_id(_upload(client, GOOD_AND_BAD.encode("utf-8"), slug="tenant-b"))
    client.post("/t/tenant-b/logout", data={"csrf_token": _token(client, "tenant-b")})
    login(client, "tenant-a")
    for url in (f"/jobs/{job_id}", f"/jobs/{job_id}/status", f"/data/jobs/{job_id}/report"):
        assert client.get(f"/t/tenant-a{url}").status_code == 404, url


def test_customer_export_form(client, two_tenants, make_tenant):
    a, _b = two_tenants
    client.post("/api/v1/customers", headers=a.headers(),
                json={"name": "王小明", "phones": [{"number": "13800138000"}]})
    make_tenant.user(a, "salesboss", roles=["sales_manager"])
    login(client, "tenant-a", "salesboss")
    token = _token(client)
    page = client.get("/t/tenant-a/data").get_data(as_text=True)
    assert 'name="unmasked"' not in page  # not an unmasking role
    r = client.post("/t/tenant-a/data/customer-exports", data={"csrf_token": token, "format": "csv", "purpose": ""})
    assert r.status_code == 422
    assert re.search(r'id="e-purpose">[^<]+<', r.get_data(as_text=True))
    r = client.post("/t/tenant-a/data/customer-exports",
                    data={"csrf_token": token, "format": "csv", "purpose": "季度核对", "unmasked": "1"})
    assert r.status_code == 422 and "只有系统管理员、总经理和部门经理" in r.get_data(as_text=True)  # CUS-70
    assert 'value="季度核对"' in r.get_data(as_text=True)  # what was typed is kept
    job_id = _job_id(client.post("/t/tenant-a/data/customer-exports",
                                 data={"csrf_token": token, "format": "csv", "purpose": "季度核对"}))
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    assert "客户导出" in page and f"/t/tenant-a/data/jobs/{job_id}/download?format=csv" in page
    file = client.get(f"/t/tenant-a/data/jobs/{job_id}/download?format=csv")
    assert file.status_code == 200 and file.data.startswith(b"\xef\xbb\xbf")
    body = file.data.decode("utf-8-sig")
    assert "王小明" in body and "13800138000" not in body  # masked (CUS-70)
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/download?format=xlsx").status_code == 404
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/report").status_code == 404  # an export has no report


def test_report_exports(client, two_tenants):
    login(client, "tenant-a")
    token = _token(client)
    r = client.post("/t/tenant-a/data/complaint-reports",
                    data={"csrf_token": token, "date_from": "2026-03-10", "date_to": "2026-03-01", "basis": "received"})
    assert r.status_code == 422 and 'id="e-date_to"' in r.get_data(as_text=True)
    assert 'value="2026-03-10"' in r.get_data(as_text=True)
    job_id = _job_id(client.post("/t/tenant-a/data/complaint-reports",
                                 data={"csrf_token": token, "date_from": "", "date_to": "", "basis": "closed"}))
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    assert "投诉报表导出" in page and "format=json" in page
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/download?format=json").status_code == 200
    csv_file = client.get(f"/t/tenant-a/data/jobs/{job_id}/download?format=csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbf")
    job_id = _job_id(client.post("/t/tenant-a/data/service-reports",
                                 data={"csrf_token": token, "date_from": "2026-03-01", "date_to": "2026-03-31",
                                       "format": "json"}))
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/download").mimetype == "application/json"
    job_id = _job_id(client.post("/t/tenant-a/data/everything", data={"csrf_token": token}))
    assert client.get(f"/t/tenant-a/data/jobs/{job_id}/download").mimetype == "application/zip"


def test_failed_job_shows_its_error_in_the_users_language(client, two_tenants, monkeypatch):
    from core.customers.transfer import jobs as transfer_jobs
    from core.customers.transfer.formats import FileProblem

    def broken(*args, **kwargs):
        raise FileProblem("the file is empty: the first row must be the header", "文件为空：第一行应为表头")

    monkeypatch.setattr(transfer_jobs, "run_import", broken)
    login(client, "tenant-a")
    job_id = _job_id(_upload(client, GOOD_AND_BAD.encode("utf-8")))
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    error = re.search(r'id="job-error">(.*?)</div>', page, re.S).group(1)
    assert "文件为空" in error and "没有导入任何客户" in error and "InvalidInput" not in error
    client.get("/t/tenant-a/lang/zh_Hant")
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    assert "檔案為空" in page or "文件為空" in page


def test_unknown_job_error_is_shown_with_a_translated_lead_in():
    from web.portal.jobs import _ERROR_CLASS

    assert _ERROR_CLASS.sub("", "OperationalError: server closed the connection", count=1) == \
        "server closed the connection"
    assert _ERROR_CLASS.sub("", "no class here: text", count=1) == "no class here: text"


def test_a_waiting_job_refreshes_itself_without_javascript_and_has_no_file_yet(client, two_tenants):
    from core.db import db
    from core.tenancy import tenant_scope
    from workers.models import JobRecord

    a, _b = two_tenants
    with tenant_scope(a.id):
        job = JobRecord(name="cus.export", args={"fmt": "csv"}, status="queued", created_by=a.admin_id)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    login(client, "tenant-a")
    page = client.get(f"/t/tenant-a/jobs/{job_id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "排队中" in page and 'data-status="queued"' in page and "/download" not in page
    assert client.get(f"/t/tenant-a/jobs/{job_id}/status").get_json()["percent"] is None
    r = client.get(f"/t/tenant-a/data/jobs/{job_id}/download")
    assert r.status_code == 409 and "任务尚未完成" in r.get_data(as_text=True)
