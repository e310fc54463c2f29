"""The customers pages in a real browser: a salesperson logs in, types a customer that looks like an
existing one, sees the CUS-13 warning live (customers.js), confirms, and lands on the customer page
with the warning's "why?" on the timeline. Screenshots in test-artifacts/."""
from tests.helpers import PASSWORD


def test_create_with_live_duplicate_warning(live_server, page, make_tenant, artifacts_dir, client):
    tenant = make_tenant("tenant-a", "甲公司")
    _sales1, token = make_tenant.user(tenant, "sales1", roles=["salesperson"])
    existing = client.post("/api/v1/customers", headers=tenant.headers(), json={
        "kind": "organisation", "name": "成都华信科技有限公司", "address": "高新区天府大道中段1号",
        "phones": [{"number": "028-85550000"}], "contacts": [{"name": "刘经理"}]}).get_json()
    base = f"{live_server}/t/tenant-a"
    page.goto(f"{base}/customers")
    page.fill("input[name=username]", "sales1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers")
    assert "成都华信科技有限公司" in page.locator("table.customers").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-customers-list.png"), full_page=True)
    page.click("a.button:text-is('新建客户')")
    page.wait_for_url(f"{base}/customers/new")
    page.select_option("select[name=kind]", "organisation")
    page.fill("input[name=name]", "成都华信科技有限责任公司")
    page.fill("input[name='phones.0.number']", "028-85551111")
    page.locator("input[name='phones.0.number']").blur()
    warning = page.locator("#duplicate-warnings .warning.live")
    warning.wait_for(timeout=5000)  # shown while typing, before any submit
    assert f"#{existing['id']}" in warning.inner_text() and "成都华信科技有限公司" in warning.inner_text()
    page.fill("input[name=address]", "高新区天府大道中段3号")
    page.fill("input[name='contacts.0.name']", "王主任")
    page.screenshot(path=str(artifacts_dir / "e2e-customers-live-duplicate.png"), full_page=True)
    page.click("#customer-form button[type=submit]")
    # the server asks to confirm, with every value kept
    page.locator("button[name=confirm]").wait_for()
    assert page.input_value("input[name=name]") == "成都华信科技有限责任公司"
    assert page.input_value("input[name='contacts.0.name']") == "王主任"
    page.screenshot(path=str(artifacts_dir / "e2e-customers-confirm.png"), full_page=True)
    page.click("button[name=confirm]")
    page.wait_for_url(f"{base}/customers/*")
    assert page.locator("h1").inner_text().startswith("成都华信科技有限责任公司")
    assert "客户已创建" in page.locator(".flash").inner_text()
    why = page.locator("ol.timeline a.why[title='CUS-13']")
    assert why.count() == 1
    page.screenshot(path=str(artifacts_dir / "e2e-customers-page.png"), full_page=True)
    why.click()
    page.wait_for_url(f"{base}/decisions/*")
    assert "CUS-13" in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-customers-why.png"), full_page=True)
