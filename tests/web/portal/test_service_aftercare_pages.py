"""The after-service pages (SVC-14, SVC-16, SVC-23, CMP-63) with the spec's dates: a feedback form received
Thu 2026-09-24 → the visit due through Mon 2026-09-28; the visit recorded by customer service (a rating
of 6 → 422, what was typed kept; a technician → 403), the issue found assigned by the service manager
and settled — never by the technician whose work it is about (refused with its message); missing
records and a lost custody document listed with their fines (PRE-15: ¥30, ¥50 × 2 sheets); another
tenant's ids 404."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from core.db import db
from core.service import orders, return_visits
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk
from tests.web.portal.test_login import _csrf, login
from web.portal import service_aftercare

PRE15_CATALOG = {"catalog": {
    "svc_missing_record": {"tiers": {"on_site": {"amount": 30}, "remote": {"amount": 50}}},
    "svc_document_lost": {"amount": 50, "per": "document"},
}}


@pytest.fixture
def desk(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "after-pages")
    desk.users["qian"] = make_tenant.user(desk.handle, "qian", roles=["cs_manager"])
    r = client.patch(f"/api/v1/users/{desk.id('qian')}", headers=desk.headers(), json={"department_id": desk.department_id})
    assert r.status_code == 200, r.get_json()
    return desk


def portal(app, desk, who):
    browser = app.test_client()
    assert login(browser, desk.handle.slug, who).status_code == 302
    return browser


def url(desk, path=""):
    return f"/t/{desk.handle.slug}/service/aftercare{path}"


def post(browser, desk, path, data=None, page=None):
    html = browser.get(page or url(desk)).get_data(as_text=True)
    return browser.post(url(desk, path), data={"csrf_token": _csrf(html), **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


def t(value):
    return dt.datetime.fromisoformat(value)


def complete(desk, order, at, *, feedback=None, recorded=None):
    """Wu dispatched, on site, completed at ``at``; the feedback form and the record when given."""
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id("wu")
        orders.move(wo, "dispatched", by=None, at=t(at) - dt.timedelta(hours=3))
        orders.move(wo, "on_site", by=None, at=t(at) - dt.timedelta(hours=2))
        orders.move(wo, "completed", by=None, at=t(at))
        visit_id = return_visits.on_feedback(wo, t(feedback)).id if feedback else None
        if recorded:
            orders.move(wo, "recorded", by=None, at=t(recorded))
            return_visits.on_recorded(wo)
        db.session.commit()
    db.session.rollback()
    return visit_id


# ------------------------------------------------------------------------------------------ pure helpers


def test_record_body_from_the_form():
    body = service_aftercare.record_body({
        "mode": "phone", "visited_at": "2026-09-28T10:00", "attitude": "5", "skill": "x", "outcome": "resolved",
        "who_came": " 吴师傅 ", "who_came_id": "", "issues": "安装不牢固\n\n  发票未给  "}, "Asia/Shanghai")
    assert body["visited_at"] == "2026-09-28T10:00:00+08:00" and body["attitude"] == 5 and body["skill"] == "x"
    assert body["who_came_id"] is None and body["visitor_id"] is None and body["who_came"] == " 吴师傅 "
    assert body["issues"] == [{"description": "安装不牢固"}, {"description": "发票未给"}]
    assert service_aftercare.issue_errors_on_box({"issues.0.description": ["a"], "mode": ["b"]}) == {
        "issues": ["a"], "mode": ["b"]}


# ------------------------------------------------------------------------------------------ pages


def test_visit_due_monday_recorded_with_an_issue_assigned_and_settled(app, desk):
    order = desk.order(requested_at="2026-09-23T10:00:00+08:00")
    visit_id = complete(desk, order, "2026-09-24T15:00:00+08:00", feedback="2026-09-24T16:30:00+08:00",
                        recorded="2026-09-25T09:00:00+08:00")
    ma = portal(app, desk, "ma")
    listed = text(ma.get(url(desk)))
    assert f'data-visit="{visit_id}"' in listed and "2026-09-28" in listed
    assert f"/work-orders/{order['id']}" in listed and "/decisions/" in listed  # the order, and why?
    assert f'data-visit="{visit_id}"' not in text(ma.get(url(desk), query_string={"visits": "done"}))

    # the technician never records the visit about his own work (as the API: customer service only)
    wu = portal(app, desk, "wu")
    assert 'data-step="record"' not in text(wu.get(url(desk, f"/visits/{visit_id}")))
    assert post(wu, desk, f"/visits/{visit_id}/record", {"mode": "phone", "attitude": "5", "skill": "5",
                                                          "outcome": "resolved"}).status_code == 403
    path = f"/visits/{visit_id}/record"
    bad = post(ma, desk, path, {"mode": "phone", "attitude": "6", "skill": "4", "outcome": "partly",
                                "who_came": "吴师傅", "issues": "安装不牢固"}, page=url(desk, f"/visits/{visit_id}"))
    assert bad.status_code == 422
    assert 'id="e-attitude"' in text(bad) and 'value="吴师傅"' in text(bad) and "安装不牢固</textarea>" in text(bad)
    done = post(ma, desk, path, {"mode": "phone", "visited_at": "2026-09-28T10:00", "attitude": "5", "skill": "4",
                                 "outcome": "partly", "who_came": "吴师傅", "issues": "安装不牢固"},
                page=url(desk, f"/visits/{visit_id}"))
    assert done.status_code == 302
    page = text(ma.get(url(desk, f"/visits/{visit_id}")))
    assert 'data-state="done"' in page and "安装不牢固" in page and 'data-attitude>5/5' in page
    again = post(ma, desk, path, {"mode": "phone", "attitude": "5", "skill": "4", "outcome": "resolved"},
                 page=url(desk, f"/visits/{visit_id}"))
    assert again.status_code == 409 and "data-refused" in text(again)

    issue_id = _issue_ids(desk)[0]
    issues = text(ma.get(url(desk)))
    assert f'data-issue="{issue_id}"' in issues
    assert post(ma, desk, f"/issues/{issue_id}/assign", {"assignee_id": desk.id("wu")}).status_code == 403
    qian = portal(app, desk, "qian")
    assert post(qian, desk, f"/issues/{issue_id}/assign", {"assignee_id": desk.id("wu")}).status_code == 302
    # assigned to the technician whose work it is about: he still may not settle it (CMP-63)
    refused = post(wu, desk, f"/issues/{issue_id}/outcome", {"outcome": "已加固"})
    assert refused.status_code == 403 and "data-refused" in text(refused)
    assert post(qian, desk, f"/issues/{issue_id}/outcome", {"outcome": " "}).status_code == 422
    assert post(qian, desk, f"/issues/{issue_id}/assign", {"assignee_id": desk.id("zheng")}).status_code == 302
    zheng = portal(app, desk, "zheng")
    assert 'data-step="outcome"' in text(zheng.get(url(desk, f"/visits/{visit_id}")))
    assert post(zheng, desk, f"/issues/{issue_id}/outcome", {"outcome": "已上门加固"}).status_code == 302
    page = text(ma.get(url(desk, f"/visits/{visit_id}")))
    assert "已上门加固" in page and 'data-state="settled"' in page
    assert desk.get(order)["status"] == "closed"


def _issue_ids(desk):
    from sqlalchemy import select

    from core.service.return_visit_models import ServiceVisitIssue

    with tenant_scope(desk.handle.id):
        ids = list(db.session.scalars(select(ServiceVisitIssue.id).order_by(ServiceVisitIssue.id)))
    db.session.rollback()
    return ids


def test_missing_records_and_lost_documents_with_their_fines(app, desk):
    policy_since(desk.handle.id, "stf", PRE15_CATALOG, "2026-01-01")
    order = desk.order(requested_at="2026-11-02T09:00:00+08:00")
    complete(desk, order, "2026-11-02T17:00:00+08:00")
    desk.job("svc.missing_records", "2026-11-04T00:41:00+08:00")
    from tests.core.attachments.files import pdf_bytes

    scan = desk.client.post("/api/v1/attachments", headers=desk.headers("wu"), content_type="multipart/form-data",
                            data={"file": (io.BytesIO(pdf_bytes("传真")), "fax.pdf"), "subject_type": "work_order",
                                  "subject_id": str(order["id"]), "kind": "scan"})
    assert scan.status_code == 201, scan.get_json()
    doc = desk.client.post(f"/api/v1/work-orders/{order['id']}/documents", headers=desk.headers("wu"), json={
        "kind": "request_fax", "description": "客户传真维修申请", "custodian_id": desk.id("ma"), "sheets": 2,
        "attachment_id": scan.get_json()["id"]})
    assert doc.status_code == 201, doc.get_json()
    lost = desk.client.post(f"/api/v1/service-documents/{doc.get_json()['id']}/lost", headers=desk.headers("li"),
                            json={"reason": "归档时遗失"})
    assert lost.status_code == 200, lost.get_json()
    page = text(portal(app, desk, "li").get(url(desk)))
    assert 'data-kind="missing_record"' in page and "¥30.00" in page and "2026-11-03" in page
    assert 'data-state="lost"' in page and "¥100.00" in page and "归档时遗失" in page
    assert page.count("/decisions/") >= 2
    # a fine is the ledger's: the technician fined sees his own, another technician sees none (STF)
    assert "¥30.00" in text(portal(app, desk, "wu").get(url(desk)))
    other = text(portal(app, desk, "zheng").get(url(desk)))
    assert 'data-kind="missing_record"' in other and "¥30.00" not in other and "¥100.00" not in other


def test_foreign_ids_are_404(app, desk, make_tenant):
    other = ServiceDesk(desk.client, make_tenant, "after-pages-b")
    order = other.order(requested_at="2026-09-23T10:00:00+08:00")
    visit_id = complete(other, order, "2026-09-24T15:00:00+08:00", feedback="2026-09-24T16:30:00+08:00")
    ma = portal(app, desk, "ma")
    assert ma.get(url(desk, f"/visits/{visit_id}")).status_code == 404
    assert post(ma, desk, f"/visits/{visit_id}/record", {"mode": "phone"}).status_code == 404
    assert post(ma, desk, "/issues/999999/outcome", {"outcome": "x"}).status_code == 404
