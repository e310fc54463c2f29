"""Logging in to a tenant portal in a real browser (screenshots in test-artifacts/)."""
from tests.helpers import PASSWORD


def test_login_in_chromium(live_server, page, two_tenants, artifacts_dir):
    page.goto(f"{live_server}/t/tenant-a/")
    assert page.url.endswith("/t/tenant-a/login?next=/t/tenant-a/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "用户名或密码错误。"
    assert page.input_value("input[name=username]") == "admin"  # what was typed is kept
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/t/tenant-a/")
    assert "甲公司管理员" in page.locator("h1").inner_text()
    assert page.locator("nav.main a").all_inner_texts()[:3] == ["首页", "客户", "投诉"]
    assert "制度设置" in page.locator("nav.main a").all_inner_texts()
    page.screenshot(path=str(artifacts_dir / "e2e-portal-home-zh.png"), full_page=True)
    page.click(".langs a:text-is('EN')")
    page.wait_for_url(f"{live_server}/t/tenant-a/")
    assert page.locator("nav.main a").all_inner_texts()[:3] == ["Home", "Customers", "Complaints"]
    page.click("nav.main a[data-nav=policies]")
    page.wait_for_url(f"{live_server}/t/tenant-a/policies")
    assert "cal" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-portal-policies-en.png"), full_page=True)
    # the same browser is a stranger in tenant B's portal
    page.goto(f"{live_server}/t/tenant-b/")
    assert "/t/tenant-b/login" in page.url
