"""The field-fee pages (SVC-15) with the spec's numbers: ¥380 collected Wed 2026-09-30 → remit through
2026-10-08, reminders from 10-09; parts ¥120 + labour ¥80 refused out of warranty (the values kept);
the receipt number required; a company that forbids field collection (409 with its reason); finance's
remittance (once: 409 after); what a technician sees and may do; another tenant's ids 404."""
from __future__ import annotations

import datetime as dt

import pytest

from core.db import db
from core.service import orders
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import ServiceDesk
from tests.web.portal.test_login import _csrf, login
from web.portal import service_fees


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "fee-pages")


def portal(app, desk, who):
    browser = app.test_client()
    assert login(browser, desk.handle.slug, who).status_code == 302
    return browser


def url(desk, path=""):
    return f"/t/{desk.handle.slug}/service/fees{path}"


def post(browser, desk, path, data=None, page=None):
    html = browser.get(page or url(desk)).get_data(as_text=True)
    return browser.post(url(desk, path), data={"csrf_token": _csrf(html), **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


def on_site(desk, order, at="2026-09-30T14:00:00+08:00", assignee="wu"):
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id(assignee)
        orders.move(wo, "dispatched", by=desk.id("ma"), at=wo.requested_at)
        orders.move(wo, "on_site", by=desk.id(assignee), at=dt.datetime.fromisoformat(at))
        db.session.commit()
    return order


# ------------------------------------------------------------------------------------------ pure helpers


def test_reminder_state_and_days():
    assert service_fees.reminder_state("remitted", False, 2) == "done"
    assert service_fees.reminder_state("collected", False, 0) == "in_time"
    assert service_fees.reminder_state("collected", True, 0) == "due"
    assert service_fees.reminder_state("collected", True, 2) == "reminded"
    assert service_fees.days_since(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 9
    body = service_fees.fee_body({"amount_parts": "300", "amount_labour": " ", "receipt_no": "FP-1",
                                  "collected_at": "2026-09-30T15:00", "collector_id": "7"}, "Asia/Shanghai", desk=False)
    assert body == {"amount_parts": "300", "amount_labour": None, "receipt_no": "FP-1",
                    "collected_at": "2026-09-30T15:00:00+08:00", "collector_id": None, "note": None}


# ------------------------------------------------------------------------------------------ pages


def test_380_collected_before_national_day_remitted_by_finance(app, desk):
    """¥380 (parts 300 + labour 80) collected Wed 2026-09-30 15:00 by the technician on the order → remit
    through 2026-10-08, reminders from 10-09; the job reminds on 10-09; finance records the money once."""
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    wu = portal(app, desk, "wu")
    form = wu.get(url(desk, f"/orders/{order['id']}/new"))
    assert form.status_code == 200 and "发票/收据号" in text(form)
    r = post(wu, desk, f"/orders/{order['id']}/new", {
        "amount_parts": "300", "amount_labour": "80", "receipt_no": "FP-20260930-001",
        "collected_at": "2026-09-30T15:00", "note": "更换主板"}, page=url(desk, f"/orders/{order['id']}/new"))
    assert r.status_code == 302, text(r)
    page = text(wu.get(r.headers["Location"]))
    assert "FP-20260930-001" in page and "¥380.00" in page and "¥300.00" in page and "¥80.00" in page
    assert "2026-10-08" in page and "2026-10-09" in page  # remit through 10-08, reminders from 10-09
    assert 'data-reminder="due"' in page  # late now (December), not reminded yet
    assert "/decisions/" in page  # why? the SVC-15 decision
    assert f"/work-orders/{order['id']}" in page

    desk.job("svc.fee_remittance", "2026-10-09T09:02:00+08:00")
    fu = portal(app, desk, "fu")
    listed = text(fu.get(url(desk), query_string={"state": "collected", "overdue": "1"}))
    assert 'data-reminder="reminded"' in listed and "2026-10-09" in listed
    assert 'data-total="outstanding">¥380.00' in listed and 'data-total="remitted">¥0.00' in listed

    fee_id = _fee_ids(desk)[0]
    assert post(wu, desk, f"/{fee_id}/remit").status_code == 403  # only finance remits
    done = post(fu, desk, f"/{fee_id}/remit", {"note": "现金已收"})
    assert done.status_code == 302
    listed = text(fu.get(url(desk)))
    assert 'data-state="remitted"' in listed and 'data-total="remitted">¥380.00' in listed
    assert 'data-total="collected">¥380.00' in listed and 'data-total="outstanding">¥0.00' in listed
    again = post(fu, desk, f"/{fee_id}/remit")
    assert again.status_code == 409 and "data-refused" in text(again)


def _fee_ids(desk):
    from sqlalchemy import select

    from core.service.fees_models import ServiceFee

    with tenant_scope(desk.handle.id):
        ids = list(db.session.scalars(select(ServiceFee.id).order_by(ServiceFee.id)))
    db.session.rollback()
    return ids


def test_out_of_warranty_parts_only_and_receipt_required(app, desk):
    """Out of warranty: parts ¥120 + labour ¥80 → 422 on labour, what was typed kept; no receipt → 422."""
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00",
                                     data={"model": "GT-06", "purchase_date": "2024-05-10"}))
    ma = portal(app, desk, "ma")
    path = f"/orders/{order['id']}/new"
    r = post(ma, desk, path, {"amount_parts": "120", "amount_labour": "80", "receipt_no": "FP-0001",
                              "collected_at": "2026-09-30T15:00"}, page=url(desk, path))
    assert r.status_code == 422
    page = text(r)
    assert 'id="e-amount_labour"' in page and "保修期至2025-05-09止" in page
    assert 'value="FP-0001"' in page and 'value="120"' in page and 'value="80"' in page
    r = post(ma, desk, path, {"amount_parts": "150"}, page=url(desk, path))
    assert r.status_code == 422 and 'id="e-receipt_no"' in text(r)
    r = post(ma, desk, path, {"amount_parts": "120", "amount_labour": "0", "receipt_no": "FP-0001",
                              "collected_at": "2026-09-30T15:00"}, page=url(desk, path))
    assert r.status_code == 302
    page = text(ma.get(url(desk)))
    assert "¥120.00" in page and "过保" in page


def test_a_company_that_forbids_field_collection(app, desk):
    policy_since(desk.handle.id, "svc", {"fees": {"field_collection_allowed": False}}, "2026-01-01")
    order = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    ma = portal(app, desk, "ma")
    path = f"/orders/{order['id']}/new"
    r = post(ma, desk, path, {"amount_parts": "120", "receipt_no": "FP-9"}, page=url(desk, path))
    assert r.status_code == 409
    assert "本公司不允许现场收费" in text(r) and 'value="FP-9"' in text(r)
    assert _fee_ids(desk) == []


def test_technicians_see_and_record_their_own(app, desk, make_tenant):
    mine = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"))
    theirs = on_site(desk, desk.order(requested_at="2026-09-30T09:00:00+08:00"), assignee="zheng")
    zheng = portal(app, desk, "zheng")
    assert zheng.get(url(desk, f"/orders/{mine['id']}/new")).status_code == 403  # not his order
    assert post(zheng, desk, f"/orders/{theirs['id']}/new", {"amount_parts": "50", "receipt_no": "Z-1"},
                page=url(desk, f"/orders/{theirs['id']}/new")).status_code == 302
    wu = portal(app, desk, "wu")
    assert post(wu, desk, f"/orders/{mine['id']}/new", {"amount_parts": "60", "receipt_no": "W-1"},
                page=url(desk, f"/orders/{mine['id']}/new")).status_code == 302
    page = text(wu.get(url(desk)))
    assert "W-1" in page and "Z-1" not in page  # a technician sees the fees they collected
    assert "Money received" not in page and "data-step=\"remit\"" not in page
    li = text(portal(app, desk, "li").get(url(desk)))
    assert "W-1" in li and "Z-1" in li
    sales = make_tenant.user(desk.handle, "sales", roles=["salesperson"])
    assert sales
    assert portal(app, desk, "sales").get(url(desk)).status_code == 403

    other = ServiceDesk(desk.client, make_tenant, "fee-pages-b")
    foreign = on_site(other, other.order(requested_at="2026-09-30T09:00:00+08:00"))
    fu = portal(app, desk, "fu")
    assert fu.get(url(desk, f"/orders/{foreign['id']}/new")).status_code == 404
    assert post(fu, desk, "/999999/remit").status_code == 404
