"""Attachments through the API: upload real small files made here, the type recognised from the bytes,
the tenant's limits (svc.attachments.max_mb, .types), download with safe headers, deletion, CMP-21
exclusion, and isolation between tenants (rows and files)."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from core.complaints.models import Complaint
from core.db import db
from core.tenancy import tenant_scope
from tests.core.attachments.files import EXE, HTML, SVG, pdf_bytes, png_bytes
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk

API = "/api/v1/attachments"


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "att-desk")


def upload(desk, who, data, filename, subject_type="work_order", subject_id=None, kind="photo", headers=None):
    form = {"file": (io.BytesIO(data), filename), "subject_type": subject_type, "subject_id": str(subject_id),
            "kind": kind}
    return desk.client.post(API, headers=headers or desk.headers(who), data=form, content_type="multipart/form-data")


def files_under(app, tenant_id) -> list[Path]:
    folder = Path(app.config["KEHU_ATTACHMENTS_PATH"]) / str(tenant_id)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_photo_upload_list_and_download(desk, app):
    order = desk.order()
    png = png_bytes()
    r = upload(desk, "wu", png, "../../etc/现场\x00照片\u202e.PNG", subject_id=order["id"])
    assert r.status_code == 201, r.get_json()
    att = r.get_json()
    assert att["content_type"] == "image/png" and att["size"] == len(png)
    assert att["sha256"] == hashlib.sha256(png).hexdigest()
    assert att["filename"] == "现场照片.PNG"  # path, NUL and the bidi override gone, Chinese kept
    assert att["uploaded_by"] == desk.id("wu") and att["kind"] == "photo"
    assert att["subject_type"] == "work_order" and att["subject_id"] == order["id"]
    listed = desk.client.get(API, headers=desk.headers("ma"),
                             query_string={"subject_type": "work_order", "subject_id": order["id"]})
    assert listed.status_code == 200 and [a["id"] for a in listed.get_json()] == [att["id"]]
    assert desk.client.get(f"{API}/{att['id']}", headers=desk.headers("li")).get_json()["sha256"] == att["sha256"]
    content = desk.client.get(att["content_url"], headers=desk.headers("ma"))
    assert content.status_code == 200
    assert content.data == png
    assert content.headers["Content-Type"] == "image/png"
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Security-Policy"] == "sandbox"
    disposition = content.headers["Content-Disposition"]
    assert disposition.startswith("inline") and f"filename*=UTF-8''{quote('现场照片.PNG')}" in disposition
    # stored under the tenant's own folder, by a random key, not by the name sent
    [stored] = files_under(app, desk.handle.id)
    assert stored.read_bytes() == png and "现场" not in str(stored) and len(stored.name) == 32
    assert stored.relative_to(Path(app.config["KEHU_ATTACHMENTS_PATH"])).parts[0] == str(desk.handle.id)


def test_pdf_is_downloaded_not_shown_and_the_extension_follows_the_bytes(desk):
    order = desk.order()
    pdf = pdf_bytes("signed")
    r = upload(desk, "wu", pdf, "客户签字单.jpg", subject_id=order["id"], kind="signed_form")
    assert r.status_code == 201, r.get_json()
    att = r.get_json()
    assert att["content_type"] == "application/pdf" and att["filename"] == "客户签字单.pdf"
    content = desk.client.get(att["content_url"], headers=desk.headers("wu"))
    assert content.data == pdf and content.headers["Content-Type"] == "application/pdf"
    assert content.headers["Content-Disposition"].startswith("attachment")
    assert f"filename*=UTF-8''{quote('客户签字单.pdf')}" in content.headers["Content-Disposition"]


@pytest.mark.parametrize("data,name", [(EXE, "photo.jpg"), (HTML, "scan.jpg"), (SVG, "logo.png"),
                                       (b"GIF89a" + b"\x00" * 40, "anim.gif")])
def test_types_not_accepted_are_refused_on_file(desk, app, data, name):
    order = desk.order()
    r = upload(desk, "wu", data, name, subject_id=order["id"])
    assert r.status_code == 422, r.get_json()
    assert list(r.get_json()["errors"]["json"]) == ["file"]
    assert "jpeg, png, webp, pdf" in r.get_json()["errors"]["json"]["file"][0]
    assert files_under(app, desk.handle.id) == []


def test_tenant_types_and_size_limit(desk, app):
    order = desk.order()
    policy_since(desk.handle.id, "svc", {"attachments": {"max_mb": 1, "types": ["pdf", "gif"]}}, "2026-01-01")
    big = pdf_bytes(padding=1024 * 1024)  # just over 1 MB
    r = upload(desk, "wu", big, "大文件.pdf", subject_id=order["id"], kind="scan")
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"]["json"] == {"file": ["the file is larger than 1 MB"]}
    fits = pdf_bytes(padding=1024 * 1024 - 2048)
    assert len(fits) <= 1024 * 1024
    assert upload(desk, "wu", fits, "扫描件.pdf", subject_id=order["id"], kind="scan").status_code == 201
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    assert upload(desk, "wu", gif, "a.gif", subject_id=order["id"]).status_code == 201
    refused = upload(desk, "wu", png_bytes(), "a.png", subject_id=order["id"])  # png no longer accepted
    assert refused.status_code == 422 and "png files are not accepted" in refused.get_json()["errors"]["json"]["file"][0]
    empty = upload(desk, "wu", b"", "empty.pdf", subject_id=order["id"])
    assert empty.status_code == 422 and list(empty.get_json()["errors"]["json"]) == ["file"]
    assert len(files_under(app, desk.handle.id)) == 2  # nothing of the refused uploads stays on disk


def test_bad_forms_are_422_not_500(desk):
    order = desk.order()
    assert desk.client.post(API, headers=desk.headers("wu"), json={}).status_code == 422
    r = upload(desk, "wu", png_bytes(), "a.png", subject_type="spaceship", subject_id=order["id"])
    assert r.status_code == 422 and "subject_type" in r.get_json()["errors"]["files"]
    r = upload(desk, "wu", png_bytes(), "a.png", subject_id=order["id"], kind="selfie")
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]["files"]
    r = upload(desk, "wu", png_bytes(), "a.png", subject_id=999_999_999)
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {"subject_id": ["no such work_order"]}
    r = desk.client.get(API, headers=desk.headers("wu"), query_string={"subject_type": "work_order"})
    assert r.status_code == 422


def test_delete_by_the_uploader_or_a_manager(desk, app):
    order = desk.order()
    first = upload(desk, "wu", png_bytes(), "a.png", subject_id=order["id"]).get_json()
    second = upload(desk, "wu", png_bytes(rgb=(1, 2, 3)), "b.png", subject_id=order["id"]).get_json()
    assert desk.client.delete(f"{API}/{first['id']}", headers=desk.headers("zheng")).status_code == 403
    assert desk.client.delete(f"{API}/{first['id']}", headers=desk.headers("wu")).status_code == 204
    assert desk.client.delete(f"{API}/{second['id']}", headers=desk.headers("li")).status_code == 204
    for att in (first, second):
        assert desk.client.get(f"{API}/{att['id']}", headers=desk.headers("wu")).status_code == 404
        assert desk.client.get(att["content_url"], headers=desk.headers("wu")).status_code == 404
    assert desk.client.get(API, headers=desk.headers("wu"), query_string={
        "subject_type": "work_order", "subject_id": order["id"]}).get_json() == []
    assert files_under(app, desk.handle.id) == []


def test_complaint_attachments_are_hidden_from_excluded_users(desk):
    """CMP-21: whoever a case is hidden from sees none of its attachments and cannot add any."""
    complaint = desk.client.post("/api/v1/complaints", headers=desk.headers("ma"), json={
        "channel": "phone", "content": "师傅态度差", "complainant_name": "王建国"}).get_json()
    att = upload(desk, "ma", pdf_bytes(), "投诉信.pdf", subject_type="complaint", subject_id=complaint["id"],
                 kind="scan")
    assert att.status_code == 201, att.get_json()
    att = att.get_json()
    assert desk.client.get(att["content_url"], headers=desk.headers("wu")).status_code == 200
    with tenant_scope(desk.handle.id):
        db.session.get(Complaint, (desk.handle.id, complaint["id"])).excluded_user_ids = [desk.id("wu")]
        db.session.commit()
    assert desk.client.get(f"{API}/{att['id']}", headers=desk.headers("wu")).status_code == 404
    assert desk.client.get(att["content_url"], headers=desk.headers("wu")).status_code == 404
    assert desk.client.get(API, headers=desk.headers("wu"), query_string={
        "subject_type": "complaint", "subject_id": complaint["id"]}).status_code == 404
    r = upload(desk, "wu", png_bytes(), "a.png", subject_type="complaint", subject_id=complaint["id"])
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {"subject_id": ["no such complaint"]}
    assert desk.client.get(att["content_url"], headers=desk.headers("ma")).status_code == 200


def test_another_tenants_attachments_are_never_found(desk, make_tenant, client, app):
    order = desk.order()
    other = make_tenant("att-other", "别家")
    customer = client.post("/api/v1/customers", headers=other.headers(), json={
        "name": "李四", "phones": [{"number": "13800138001"}]}).get_json()
    theirs = upload(desk, None, png_bytes(rgb=(9, 9, 9)), "别家.png", subject_type="customer",
                    subject_id=customer["id"], headers=other.headers())
    assert theirs.status_code == 201, theirs.get_json()
    theirs = theirs.get_json()
    mine = upload(desk, "wu", png_bytes(), "a.png", subject_id=order["id"]).get_json()
    h = desk.headers("li")
    assert client.get(f"{API}/{theirs['id']}", headers=h).status_code == 404
    assert client.get(f"{API}/{theirs['id']}/content", headers=h).status_code == 404
    assert client.delete(f"{API}/{theirs['id']}", headers=h).status_code == 404
    assert client.get(API, headers=h, query_string={"subject_type": "customer",
                                                    "subject_id": customer["id"]}).status_code == 404
    r = upload(desk, "li", png_bytes(), "x.png", subject_type="customer", subject_id=customer["id"])
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {"subject_id": ["no such customer"]}
    assert client.get(f"{API}/{mine['id']}", headers=other.headers()).status_code == 404
    assert client.get(f"{API}/{mine['id']}/content", headers=other.headers()).status_code == 404
    # each tenant's file under its own folder only
    [their_file] = files_under(app, other.id)
    [my_file] = files_under(app, desk.handle.id)
    assert their_file.read_bytes() == png_bytes(rgb=(9, 9, 9)) and my_file.read_bytes() == png_bytes()


def test_tenant_export_holds_the_files_and_erasure_removes_them(desk, make_tenant, client, app):
    from tenants.platform import create_admin

    order = desk.order()
    pdf = pdf_bytes("导出")
    att = upload(desk, "wu", pdf, "签字单.pdf", subject_id=order["id"], kind="signed_form").get_json()
    gone = upload(desk, "wu", png_bytes(), "deleted.png", subject_id=order["id"]).get_json()
    assert client.delete(f"{API}/{gone['id']}", headers=desk.headers("wu")).status_code == 204
    other = make_tenant("att-export-b", "别家")
    customer = client.post("/api/v1/customers", headers=other.headers(), json={
        "name": "李四", "phones": [{"number": "13800138001"}]}).get_json()
    theirs = upload(desk, None, png_bytes(rgb=(5, 5, 5)), "b.png", subject_type="customer", subject_id=customer["id"],
                    headers=other.headers())
    assert theirs.status_code == 201
    _admin, token = create_admin("ops", "ops-password-1")
    db.session.commit()
    platform = {"Authorization": f"Bearer {token}"}
    r = client.get(f"/api/v1/platform/tenants/{desk.handle.id}/export", headers=platform)
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    files = [n for n in archive.namelist() if n.startswith("attachments/")]
    [row] = [line for line in archive.read("attachments.jsonl").decode().splitlines() if f'"id": {att["id"]}' in line]
    assert len(files) == 1 and files[0].endswith("/" + json.loads(row)["storage_key"])
    assert archive.read(files[0]) == pdf
    assert files_under(app, desk.handle.id)
    assert client.delete(f"/api/v1/platform/tenants/{desk.handle.id}", headers=platform).status_code == 204
    assert files_under(app, desk.handle.id) == []
    assert not (Path(app.config["KEHU_ATTACHMENTS_PATH"]) / str(desk.handle.id)).exists()
    assert len(files_under(app, other.id)) == 1  # the other tenant's files stay


def test_the_platform_cap_wins_over_the_tenant_limit(desk, app, monkeypatch):
    order = desk.order()
    policy_since(desk.handle.id, "svc", {"attachments": {"max_mb": 10}}, "2026-01-01")
    monkeypatch.setitem(app.config, "KEHU_ATTACHMENT_MAX_MB", 1)
    r = upload(desk, "wu", pdf_bytes(padding=1024 * 1024), "a.pdf", subject_id=order["id"], kind="scan")
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {"file": ["the file is larger than 1 MB"]}
    r = upload(desk, "wu", pdf_bytes(padding=3 * 1024 * 1024), "a.pdf", subject_id=order["id"], kind="scan")
    assert r.status_code == 413  # the body is refused before it is read
    assert files_under(app, desk.handle.id) == []


def test_imports_keep_their_own_larger_limit(app):
    """The request limit follows the larger of an attachment and a customer import (50 MB)."""
    assert app.config["MAX_CONTENT_LENGTH"] == 51 * 1024 * 1024
