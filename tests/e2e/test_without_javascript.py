"""The portal without JavaScript (a browser with scripts switched off): logging in and creating a customer
that looks like an existing one — the server shows the duplicate warning and asks to confirm, every value
kept. (The job page's refresh without scripts is tested in tests/web/portal/test_transfers_pages.py.)"""
from tests.helpers import PASSWORD


def test_create_a_customer_with_its_duplicate_warning_without_javascript(live_server, browser, make_tenant, client,
                                                                         artifacts_dir):
    tenant = make_tenant("tenant-a", "甲公司")
    make_tenant.user(tenant, "sales1", roles=["salesperson"])
    existing = client.post("/api/v1/customers", headers=tenant.headers(), json={
        "kind": "organisation", "name": "成都华信科技有限公司", "address": "高新区天府大道中段1号",
        "phones": [{"number": "028-85550000"}], "contacts": [{"name": "刘经理"}]}).get_json()
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        base = f"{live_server}/t/tenant-a"
        page.goto(f"{base}/customers/new")
        page.fill("input[name=username]", "sales1")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/customers/new")
        page.select_option("select[name=kind]", "organisation")
        page.fill("input[name=name]", "成都华信科技有限责任公司")
        page.fill("input[name='phones.0.number']", "028-85551111")
        page.fill("input[name=address]", "高新区天府大道中段3号")
        page.fill("input[name='contacts.0.name']", "王主任")
        assert page.locator("#duplicate-warnings .warning.live").count() == 0  # no script, no live check
        page.click("#customer-form button[type=submit]")
        page.locator("button[name=confirm]").wait_for()
        assert f"#{existing['id']}" in page.locator("main").inner_text()  # the likely duplicate, named
        assert page.input_value("input[name=name]") == "成都华信科技有限责任公司"
        assert page.input_value("input[name='contacts.0.name']") == "王主任"
        page.screenshot(path=str(artifacts_dir / "e2e-nojs-customer-confirm.png"), full_page=True)
        page.click("button[name=confirm]")
        page.wait_for_url(f"{base}/customers/*")
        assert page.locator("h1").inner_text().startswith("成都华信科技有限责任公司")
    finally:
        context.close()
