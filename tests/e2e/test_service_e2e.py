"""A work order from intake to its service record in a real browser: the desk takes it in and dispatches
it, the technician arrives, completes it with the photo of the signed form and records the service
(screenshots in test-artifacts/)."""
import re

from tests.helpers import PASSWORD
from tests.web.api.service_desk import ServiceDesk


def _png() -> bytes:
    from core.service.demo import _png as png

    return png()


def _login(browser_page, live_server, slug, username, password=PASSWORD):
    browser_page.goto(f"{live_server}/t/{slug}/login")
    browser_page.fill("input[name=username]", username)
    browser_page.fill("input[name=password]", password)
    browser_page.click("button[type=submit]")
    browser_page.wait_for_url(f"{live_server}/t/{slug}/")


def test_dispatch_to_completion_in_chromium(live_server, browser, page, client, make_tenant, artifacts_dir):
    desk = ServiceDesk(client, make_tenant, "svc-e2e")
    r = client.put(f"/api/v1/service-technicians/{desk.id('wu')}", headers=desk.headers("zhao"),
                   json={"skills": ["gps"], "areas": ["朝阳区"]})
    assert r.status_code in (200, 201), r.get_json()
    slug = desk.handle.slug

    # the desk takes the order in: a bad phone number first, then corrected (nothing typed is lost)
    _login(page, live_server, slug, "ma")
    page.click("nav.main a[data-nav=service]")
    page.click("a[data-action=new-order]")
    page.fill("input[name=customer_name]", "北京顺达物流有限公司")
    page.fill("input[name=contact_name]", "周师傅")
    page.fill("input[name=contact_phone]", "12345")
    page.fill("input[name=address]", "北京市大兴区物流园3号库")
    page.fill("textarea[name=description]", "终端不定位，车辆轨迹中断")
    page.fill("input[name='data.model']", "GT-06N")
    page.fill("input[name='data.purchase_date']", "2026-05-20")
    page.fill("input[name=area]", "朝阳区")
    page.fill("input[name=skill]", "gps")
    page.click("button[data-submit]")
    assert "不是有效的电话号码" in page.locator("#e-contact_phone").inner_text()
    assert page.input_value("input[name=address]") == "北京市大兴区物流园3号库"
    page.screenshot(path=str(artifacts_dir / "e2e-service-intake-errors.png"), full_page=True)
    page.fill("input[name=contact_phone]", "13801010001")
    page.click("button[data-submit]")
    page.wait_for_url(re.compile(r".*/work-orders/\d+$"))
    order_url = page.url
    assert "已受理" in page.locator("h1").inner_text()
    # dispatch to Wu, arrival agreed in two hours
    page.select_option("form[data-step=dispatch] select[name=assignee_id]", str(desk.id("wu")))
    page.fill("form[data-step=dispatch] input[name=eta_at]", "2030-01-01T10:00")
    page.click("form[data-step=dispatch] button[type=submit]")
    page.wait_for_url(order_url)
    assert "已派工" in page.locator("h1").inner_text()
    assert "wu" in page.locator("[data-assignee]").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-service-dispatched.png"), full_page=True)

    # the technician: his order first, arrival, completion with the photo, the service record
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    tech = context.new_page()
    _login(tech, live_server, slug, "wu")
    tech.goto(f"{live_server}/t/{slug}/work-orders")
    assert "北京顺达物流有限公司" in tech.locator("table.orders tbody tr").first.inner_text()
    tech.screenshot(path=str(artifacts_dir / "e2e-service-list-technician.png"), full_page=True)
    tech.locator("table.orders tbody tr").first.locator("a").click()
    tech.wait_for_url(order_url)
    tech.click("form[data-step=arrive] button[type=submit]")
    tech.wait_for_url(order_url)
    assert "已到场" in tech.locator("h1").inner_text()
    form = "form[data-step=complete]"
    tech.fill(f"{form} input[name='feedback.result']", "更换GT-06N终端，定位恢复")
    tech.fill(f"{form} input[name='feedback.signatory']", "周师傅")
    tech.click(f"{form} button[type=submit]")  # not signed yet: refused, what was typed stays
    assert "未经客户签字" in tech.locator("[data-refused]").inner_text()
    assert tech.input_value(f"{form} input[name='feedback.result']") == "更换GT-06N终端，定位恢复"
    tech.screenshot(path=str(artifacts_dir / "e2e-service-complete-refused.png"), full_page=True)
    tech.check(f"{form} input[name='feedback.signed']")
    tech.set_input_files(f"{form} input[name=feedback_photo]",
                         files=[{"name": "反馈单.png", "mimeType": "image/png", "buffer": _png()}])
    tech.click(f"{form} button[type=submit]")
    tech.wait_for_url(order_url)
    assert "已完工" in tech.locator("h1").inner_text()
    tech.fill("form[data-step=record] textarea[name=summary]", "更换GT-06N终端一台，调试正常")
    tech.click("form[data-step=record] button[type=submit]")
    tech.wait_for_url(order_url)
    assert tech.locator("h1 .badge").inner_text() in ("已记录", "待回访", "已关闭")
    kinds = tech.locator("[data-event]").evaluate_all("els => els.map(e => e.dataset.event)")
    assert [k for k in kinds if k in ("requested", "dispatched", "arrived", "completed", "recorded")] == [
        "requested", "dispatched", "arrived", "completed", "recorded"]
    tech.screenshot(path=str(artifacts_dir / "e2e-service-recorded.png"), full_page=True)
    # "why?" of the intake decision
    tech.locator("[data-decision=SVC-03] a.why").click()
    assert "SVC-03" in tech.locator("h1").inner_text()
    context.close()


def test_the_demo_desk_in_chromium(live_server, page, artifacts_dir):
    """The demo tenant's work orders as its service desk sees them (screenshots for the guide)."""
    from tenants.demo import provision_demo_tenants

    provision_demo_tenants(only="huaxin")
    _login(page, live_server, "huaxin", "cs", "kehu-demo")
    page.goto(f"{live_server}/t/huaxin/work-orders")
    assert page.locator("table.orders tbody tr").count() >= 4
    page.screenshot(path=str(artifacts_dir / "e2e-service-demo-list.png"), full_page=True)
    page.locator("tr:has-text('河北安捷货运有限公司') a").first.click()
    assert "已派工" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-service-demo-order.png"), full_page=True)
    page.goto(f"{live_server}/t/huaxin/work-orders?state=all")
    page.locator("tr:has-text('天津宏远冷链运输有限公司') a").first.click()
    page.screenshot(path=str(artifacts_dir / "e2e-service-demo-approval.png"), full_page=True)
