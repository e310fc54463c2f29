"""After service and field fees in a real browser: customer service records a return visit with an issue
(a rating left out first: nothing typed lost), the technician records the ¥120 parts + ¥80 labour fee on
an out-of-warranty repair (refused, then parts only), finance records the money (screenshots in
test-artifacts/)."""
import datetime as dt

from core.db import db
from core.service import orders, return_visits
from core.tenancy import tenant_scope
from tests.e2e.test_service_e2e import _login
from tests.web.api.service_desk import ServiceDesk


def _done_order(desk, feedback=True):
    order = desk.order(requested_at="2026-09-23T10:00:00+08:00",
                       data={"model": "GT-06", "purchase_date": "2024-05-10"})
    at = dt.datetime.fromisoformat("2026-09-24T15:00:00+08:00")
    with tenant_scope(desk.handle.id):
        wo = orders.get_order(order["id"])
        wo.assignee_id = desk.id("wu")
        orders.move(wo, "dispatched", by=None, at=at - dt.timedelta(hours=3))
        orders.move(wo, "on_site", by=None, at=at - dt.timedelta(hours=2))
        visit_id = None
        if feedback:
            orders.move(wo, "completed", by=None, at=at)
            visit_id = return_visits.on_feedback(wo, at + dt.timedelta(hours=1)).id
        db.session.commit()
    db.session.rollback()
    return order, visit_id


def test_return_visit_and_field_fee_in_chromium(live_server, browser, page, client, make_tenant, artifacts_dir):
    desk = ServiceDesk(client, make_tenant, "after-e2e")
    slug = desk.handle.slug
    _, visit_id = _done_order(desk)
    on_site, _ = _done_order(desk, feedback=False)

    _login(page, live_server, slug, "ma")
    page.goto(f"{live_server}/t/{slug}/service/aftercare")
    assert page.locator(f"tr[data-visit='{visit_id}']").count() == 1
    page.screenshot(path=str(artifacts_dir / "e2e-service-aftercare-list.png"), full_page=True)
    page.click(f"tr[data-visit='{visit_id}'] a[href$='/visits/{visit_id}']")
    page.fill("form[data-step=record] input[name=who_came]", "吴师傅")
    page.fill("form[data-step=record] textarea[name=issues]", "天线安装不牢固")
    page.eval_on_selector("form[data-step=record]", "f => f.noValidate = true")
    page.click("form[data-step=record] button[type=submit]")
    assert page.locator("#e-attitude").count() == 1
    assert page.input_value("input[name=who_came]") == "吴师傅"
    page.select_option("select[name=attitude]", "5")
    page.select_option("select[name=skill]", "4")
    page.select_option("select[name=outcome]", "partly")
    page.click("form[data-step=record] button[type=submit]")
    assert page.locator("h1 [data-state=done]").count() == 1
    assert "天线安装不牢固" in page.locator("[data-section=issues]").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-service-aftercare-visit.png"), full_page=True)

    page.context.clear_cookies()
    _login(page, live_server, slug, "wu")
    page.goto(f"{live_server}/t/{slug}/service/fees/orders/{on_site['id']}/new")
    page.fill("input[name=amount_parts]", "120")
    page.fill("input[name=amount_labour]", "80")
    page.fill("input[name=receipt_no]", "FP-20260930-001")
    page.click("form[data-step=fee] button[type=submit]")
    assert "只能收取配件费" in page.locator("#e-amount_labour").inner_text()
    assert page.input_value("input[name=receipt_no]") == "FP-20260930-001"
    page.screenshot(path=str(artifacts_dir / "e2e-service-fees-refused.png"), full_page=True)
    page.fill("input[name=amount_labour]", "0")
    page.click("form[data-step=fee] button[type=submit]")
    assert page.locator("tr[data-receipt='FP-20260930-001']").count() == 1

    page.context.clear_cookies()
    _login(page, live_server, slug, "fu")
    page.goto(f"{live_server}/t/{slug}/service/fees")
    page.click("tr[data-receipt='FP-20260930-001'] form[data-step=remit] button[type=submit]")
    assert page.locator("tr[data-receipt='FP-20260930-001'][data-state=remitted]").count() == 1
    assert page.locator("[data-total=remitted]").inner_text() == "¥120.00"
    page.screenshot(path=str(artifacts_dir / "e2e-service-fees-remitted.png"), full_page=True)
