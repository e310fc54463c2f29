"""Import and export of customers through the API: valid rows land, bad rows are reported with their
row number and reason (CUS-10..13), nothing is written for a bad row; GBK and XLSX are accepted;
exports open in Excel (UTF-8 BOM), mask PII (CUS-70) and neutralise formulas (CUS-74)."""
import csv
import io

import openpyxl
from sqlalchemy import text

WANG = {"name": "王小明", "phones": [{"number": "138 0013 8000"}], "district": "朝阳区"}

GOOD_AND_BAD = (
    "姓名,手机,座机,身份证号,区县,备注\r\n"
    "李娜,139 0000 1111,,,海淀区,老客户\r\n"          # row 2: lands
    ",13900002222,,,,\r\n"                            # row 3: no name
    "张伟,12345678901,,,,\r\n"                          # row 4: invalid mobile (CUS-10)
    "赵六,,0830-2345678,110105194912310021,,\r\n"       # row 5: resident id checksum (CUS-11)
    "王小明,138-0013-8000,,,,\r\n"                      # row 6: exact duplicate of an existing customer
    "孙七,13900003333,,,,\r\n"                          # row 7: lands
    "孙七七,13900003333,,,,\r\n"                        # row 8: same mobile as row 7 (within the file)
    "王晓明,,,,朝阳区,\r\n"                             # row 9: no phone (CUS-01)
    "王晓明,13900004444,,,朝阳区,=1+1\r\n"              # row 10: lands with a likely-duplicate warning
)


def _upload(client, handle, content: bytes, filename="customers.csv", token=None):
    return client.post("/api/v1/customers/imports", headers=handle.headers(token),
                       data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def _job(client, handle, job_id):
    return client.get(f"/api/v1/jobs/{job_id}", headers=handle.headers()).get_json()


def _count(owner_engine, table, tenant_id):
    with owner_engine.connect() as conn:
        return conn.execute(text(f"select count(*) from {table} where tenant_id = :t"), {"t": tenant_id}).scalar()


def _report(client, handle, job_id):
    r = client.get(f"/api/v1/customers/imports/{job_id}/report", headers=handle.headers())
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))


def test_import_lands_valid_rows_and_reports_each_bad_one(client, two_tenants, owner_engine):
    a, b = two_tenants
    existing = client.post("/api/v1/customers", headers=a.headers(), json=WANG).get_json()["id"]
    r = _upload(client, a, "\ufeff".encode() + GOOD_AND_BAD.encode("utf-8"))
    assert r.status_code == 202, r.get_json()
    job = _job(client, a, r.get_json()["id"])
    assert job["status"] == "finished", job
    assert job["result"] == {"rows": 9, "imported": 3, "failed": 6, "warnings": 1, "unknown_columns": [],
                             "report": f"import-{job['id']}-report.csv"}
    assert job["percent"] == 100
    names = {c["name"] for c in client.get("/api/v1/customers?q=", headers=a.headers()).get_json()}
    assert names == {"王小明", "李娜", "孙七", "王晓明"}
    report = _report(client, a, job["id"])
    assert report[0] == ["行号 row", "级别 level", "字段 field", "原因 reason", "已有客户 existing_id"]
    by_row = {}
    for row, level, field, reason, existing_id in report[1:]:
        by_row.setdefault(int(row), []).append((level, field, reason, existing_id))
    assert sorted(by_row) == [3, 4, 5, 6, 8, 9, 10]
    assert by_row[3] == [("error", "name", "required", "")]
    assert by_row[4][0][:2] == ("error", "phones.0.number")
    assert by_row[5][0][:2] == ("error", "resident_id")
    assert by_row[6][0][0:2] == ("error", "mobile") and by_row[6][0][3] == str(existing)  # CUS-13 exact
    assert by_row[8][0][0:2] == ("error", "mobile") and by_row[8][0][3] == "row 7"  # within the file
    assert by_row[9][0][:2] == ("error", "phones")
    assert by_row[10][0][0] == "warning" and by_row[10][0][3] == str(existing)  # likely: 王小明 in 朝阳区
    assert _count(owner_engine, "customers", a.id) == 4
    assert _count(owner_engine, "customer_phones", a.id) == 4  # nothing of the refused rows
    assert _count(owner_engine, "customers", b.id) == 0
    # an imported customer is a customer like any other: found by phone, refused as a duplicate
    assert client.get("/api/v1/customers?q=13900001111", headers=a.headers()).get_json()[0]["name"] == "李娜"
    again = client.post("/api/v1/customers", headers=a.headers(), json={"name": "李娜", "phones": [{"number": "13900001111"}]})
    assert again.status_code == 409
    warned = client.get("/api/v1/decisions?rule_id=CUS-13", headers=a.headers()).get_json()
    assert [d["facts"]["event"] for d in warned] == ["import"]


def test_gbk_csv_and_xlsx_are_accepted(client, two_tenants):
    a, _b = two_tenants
    gbk = "姓名,手机\r\n陈小明,13800001111\r\n".encode("gbk")
    job = _job(client, a, _upload(client, a, gbk).get_json()["id"])
    assert job["result"]["imported"] == 1
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "联系电话", "地址", "统一社会信用代码", "联系人"])
    sheet.append(["华信安装服务有限公司", "单位", 13800002222, "成都市青羊区", "91350100M000100Y43", "周经理"])  # a number cell
    sheet.append(["成都无联系人有限公司", "单位", 13800003333, "成都市锦江区", None, None])  # CUS-01: an organisation needs a contact
    buffer = io.BytesIO()
    book.save(buffer)
    r = _upload(client, a, buffer.getvalue(), filename="单位.xlsx")
    job = _job(client, a, r.get_json()["id"])
    assert (job["result"]["imported"], job["result"]["failed"]) == (1, 1), job
    org = client.get("/api/v1/customers?q=华信", headers=a.headers()).get_json()[0]
    assert org["kind"] == "organisation" and org["phones"][0]["e164"] == "+8613800002222"
    assert org["uscc"] == "91350100M000100Y43" and [c["name"] for c in org["contacts"]] == ["周经理"]
    assert org["effective_at"] is not None  # no confirmation required by default (CUS-06)
    report = _report(client, a, job["id"])
    assert [(row[0], row[1]) for row in report[1:]] == [("3", "error")] and "contact" in report[1][2]


def test_unreadable_files_are_refused_at_once(client, two_tenants, owner_engine):
    a, _b = two_tenants
    r = _upload(client, a, "手机,备注\r\n13800001111,x\r\n".encode())
    assert r.status_code == 422 and "file" in r.get_json()["errors"]["json"]  # no name column
    r = _upload(client, a, b"\xff\xfe\x00garbage\x81\x30", filename="x.csv")
    assert r.status_code == 422
    r = _upload(client, a, b"not a workbook", filename="x.xlsx")
    assert r.status_code == 422
    r = _upload(client, a, b"name\r\nx\r\n", filename="x.txt")
    assert r.status_code == 422
    assert _count(owner_engine, "jobs", a.id) == 0  # nothing started


def test_only_managers_and_archive_keepers_import(client, two_tenants, make_tenant):
    a, _b = two_tenants
    _uid, token = make_tenant.user(a, "seller", roles=["salesperson"])
    assert _upload(client, a, "姓名,手机\r\n陈小明,13800001111\r\n".encode(), token=token).status_code == 403


def _export(client, handle, token=None, **body):
    r = client.post("/api/v1/customers/exports", headers=handle.headers(token), json={"purpose": "季度核对", **body})
    return r


def test_export_csv_opens_in_excel_masks_pii_and_neutralises_formulas(client, two_tenants, make_tenant):
    a, _b = two_tenants
    client.post("/api/v1/customers", headers=a.headers(), json={
        **WANG, "resident_id": "11010519491231002X", "note": "=1+1",
        "phones": [{"number": "13800138000"}, {"number": "0830-2345678 转12"}]})
    r = _export(client, a)
    assert r.status_code == 202, r.get_json()
    job = _job(client, a, r.get_json()["id"])
    assert job["status"] == "finished" and job["result"]["rows"] == 1 and job["result"]["masked"] is True
    data = client.get(f"/api/v1/customers/exports/{job['id']}/download", headers=a.headers())
    assert data.status_code == 200 and data.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM (Excel)
    rows = list(csv.reader(io.StringIO(data.data.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    cell = dict(zip(header, row))
    assert cell["手机"] == "138****8000" and cell["身份证号"] == "110105********002X"  # CUS-70
    assert cell["备注"] == "'=1+1"  # CUS-74 (2)
    assert cell["姓名/名称"] == "王小明" and cell["类型"] == "个人"
    # unmasked, by a manager who asks for it
    job = _job(client, a, _export(client, a, unmasked=True).get_json()["id"])
    data = client.get(f"/api/v1/customers/exports/{job['id']}/download", headers=a.headers())
    cell = dict(zip(*list(csv.reader(io.StringIO(data.data.decode("utf-8-sig"))))[:2]))
    assert cell["手机"] == "13800138000" and cell["座机"] == "0830-2345678转12"
    assert cell["身份证号"] == "11010519491231002X"
    # a cs manager exports (masked) but may not unmask; a salesperson may not export; a purpose is required
    _uid, cs = make_tenant.user(a, "cs", roles=["cs_manager"])
    assert _export(client, a, cs, unmasked=True).status_code == 422
    _uid, seller = make_tenant.user(a, "seller", roles=["salesperson"])
    assert _export(client, a, seller).status_code == 403
    assert client.post("/api/v1/customers/exports", headers=a.headers(), json={}).status_code == 422


def test_export_round_trips_through_import_and_xlsx(client, two_tenants):
    a, b = two_tenants
    client.post("/api/v1/customers", headers=a.headers(), json={
        **WANG, "resident_id": "11010519491231002X", "phones": [{"number": "13800138000"}, {"number": "0830-2345678"}]})
    client.post("/api/v1/customers", headers=a.headers(), json={
        "kind": "organisation", "name": "华信安装服务有限公司", "phones": [{"number": "028-86001234"}],
        "address": "成都市青羊区", "contacts": [{"name": "周经理", "mobile": "13900002222"}]})
    job = _job(client, a, _export(client, a, unmasked=True, format="xlsx").get_json()["id"])
    data = client.get(f"/api/v1/customers/exports/{job['id']}/download", headers=a.headers()).data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]][1] == "姓名/名称" and sheet.max_row == 3
    imported = _job(client, b, _upload(client, b, data, filename="from-a.xlsx").get_json()["id"])
    assert imported["result"]["imported"] == 2 and imported["result"]["failed"] == 0, imported
    assert imported["result"]["unknown_columns"] == ["客户编号 id", "创建时间 created_at"]
    got = {c["name"]: c for c in client.get("/api/v1/customers", headers=b.headers()).get_json()}
    assert sorted(p["e164"] for p in got["王小明"]["phones"]) == ["+8613800138000", "+868302345678"]
    assert got["王小明"]["resident_id"] == "11010519491231002X" and got["华信安装服务有限公司"]["kind"] == "organisation"
    assert [(c["name"], c["mobile"]) for c in got["华信安装服务有限公司"]["contacts"]] == [("周经理", "+8613900002222")]


def test_downloads_are_for_finished_jobs_of_the_right_kind(client, two_tenants):
    a, _b = two_tenants
    tenant_export = client.post("/api/v1/exports", headers=a.headers()).get_json()["id"]
    assert client.get(f"/api/v1/customers/exports/{tenant_export}/download", headers=a.headers()).status_code == 404
    assert client.get(f"/api/v1/customers/imports/{tenant_export}/report", headers=a.headers()).status_code == 404
