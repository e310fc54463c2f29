"""The staff pages in a real browser, on the demo's staff data: an employee signs and appeals a slip
(the reason kept after an error), the manager answers, credit and scorecards (screenshots in
test-artifacts/)."""
from core.accounts.demo import DEMO_PASSWORD, create_demo_users
from core.audit.recorder import acting_as
from core.db import db
from core.staff import demo
from core.tenancy import tenant_scope


def _log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _log_out(page):
    page.click("header .me button[type=submit]")


def test_slip_signed_appealed_and_answered_in_chromium(live_server, page, make_tenant, artifacts_dir):
    t = make_tenant("stf-e2e", "华信安装服务有限公司")
    with tenant_scope(t.id), acting_as("demo"):
        create_demo_users()
        demo.provision()
        db.session.commit()
    base = f"{live_server}/t/stf-e2e"
    _log_in(page, base, "sales1")
    page.click("nav.main a[data-nav=staff]")
    page.wait_for_url(f"{base}/staff")
    assert "待签收的处罚单" in page.locator("#to-sign").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-staff-home-employee.png"), full_page=True)

    page.click("#to-sign a")
    assert "签收表示收到，不表示同意" in page.locator("main").inner_text()
    assert page.locator("#slip .clock").count() == 1
    page.click("#appeal-form button[type=submit]")  # no reason given
    assert page.locator("#appeal-form .field-error").inner_text() == "此项必填。"
    page.fill("#appeal-form textarea[name=text]", "客户当天更换了联系人，")
    page.click("#sign button[type=submit]")
    assert "已签收" in page.locator(".flash").inner_text()
    page.fill("#appeal-form textarea[name=text]", "客户当天更换了联系人，我已按新联系人回访，有通话记录。")
    page.click("#appeal-form button[type=submit]")
    assert "申诉已收到" in page.locator(".flash").inner_text()
    assert "有通话记录" in page.locator("#appeal").inner_text()
    slip_url = page.url
    page.screenshot(path=str(artifacts_dir / "e2e-staff-slip-appealed.png"), full_page=True)
    _log_out(page)

    _log_in(page, base, "manager")
    page.goto(slip_url)
    page.select_option("#reply select[name=outcome]", "revoked")
    page.fill("#reply textarea[name=text]", "经核实已按时回访，撤销处罚。")
    page.click("#reply button[type=submit]")
    assert "答复已记录" in page.locator(".flash").inner_text()
    assert "撤销处罚" in page.locator("#appeal").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-staff-slip-answered.png"), full_page=True)
    page.goto(f"{base}/staff")
    assert "团队奖惩台账" in page.locator("#ledger").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-staff-home-manager.png"), full_page=True)
    page.goto(f"{base}/staff/scorecards")
    assert page.locator("table.ranking tr[data-scorecard]").count() >= 2
    page.screenshot(path=str(artifacts_dir / "e2e-staff-scorecards.png"), full_page=True)
    _log_out(page)

    _log_in(page, base, "sales1")
    page.goto(f"{base}/staff/credit")
    assert page.locator("#figures [data-figure=performance]").inner_text().startswith("¥")
    page.screenshot(path=str(artifacts_dir / "e2e-staff-credit.png"), full_page=True)
