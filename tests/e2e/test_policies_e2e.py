"""Policies in a real browser: change a complaint deadline setting, dry-run it against an open
complaint, see what would change, publish, find the new version in the history (screenshots in
test-artifacts/)."""
import datetime as dt

from core.db import db
from tests.helpers import PASSWORD


def test_change_dry_run_and_publish_a_policy(live_server, page, client, two_tenants, artifacts_dir):
    a, _b = two_tenants
    received = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).replace(microsecond=0).isoformat()
    case = client.post("/api/v1/complaints", headers=a.headers(), json={
        "channel": "phone", "content": "热水器漏水，三天无人上门", "received_at": received})
    assert case.status_code == 201, case.get_json()
    number = case.get_json()["number"]

    page.goto(f"{live_server}/t/tenant-a/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/t/tenant-a/")
    page.click("nav.main a[data-nav=policies]")
    page.wait_for_url(f"{live_server}/t/tenant-a/policies")
    assert "投诉处理制度" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-policies-index.png"), full_page=True)

    page.click("tr[data-module=cmp] a")
    page.wait_for_url(f"{live_server}/t/tenant-a/policies/cmp")
    page.click("details[data-top=sla] > summary")
    reply = page.locator('input[name="sla.reply"]')
    assert reply.input_value() == "24 hours"
    # a wrong value first: the error sits next to the field, in Chinese, and what was typed stays
    page.fill('input[name="sla.warn_at"]', "2")
    reply.fill("4 hours")
    page.click("button[value=dry-run]")
    error = page.locator('[data-field="sla.warn_at"] .field-error')
    assert error.inner_text() == "须在 0.01 到 0.99 之间。"
    assert page.locator('input[name="sla.reply"]').input_value() == "4 hours"
    page.screenshot(path=str(artifacts_dir / "e2e-policies-field-error.png"), full_page=True)

    page.fill('input[name="sla.warn_at"]', "0.8")
    page.click("button[value=dry-run]")
    result = page.locator("section.dry-run")
    assert result.locator("[data-change-count]").get_attribute("data-change-count") == "1"
    row = result.locator("table.changes tr[data-what=reply]")
    assert number in row.inner_text() and "CMP-31" in row.inner_text()
    assert "sla.reply" in result.locator("table.settings-changed").inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-policies-dry-run.png"), full_page=True)

    page.fill('input[name="publish:note"]', "答复时限由24小时缩短为4小时")
    page.click("button[value=publish]")
    page.wait_for_url(f"{live_server}/t/tenant-a/policies/cmp")
    assert "已发布版本 1" in page.locator(".flash.ok").inner_text()
    history = page.locator("#history tr[data-version='1']")
    assert "答复时限由24小时缩短为4小时" in history.inner_text() and "现行" in history.inner_text()
    page.screenshot(path=str(artifacts_dir / "e2e-policies-published.png"), full_page=True)
    db.session.rollback()  # the test thread's session started before the live server published
    in_force = client.get("/api/v1/policies/cmp", headers=a.headers()).get_json()
    assert (in_force["version"], in_force["body"]["sla"]["reply"]) == (1, "4 hours")
