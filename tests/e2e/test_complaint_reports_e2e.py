"""The complaint reports page and the extra case tools in a real browser (screenshots in
test-artifacts/): the period selector works without JavaScript, the charts are inline SVG over their
tables; a supervisor links two cases of the same customer on the case page (a wrong number first,
nothing typed lost)."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

from tests.helpers import PASSWORD
from tests.web.portal.test_complaint_reports_pages import cases


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/t/tenant-a/$"))


def test_reports_and_linking_in_chromium(live_server, page, client, two_tenants, make_tenant, artifacts_dir):
    a, _b = two_tenants
    make_tenant.user(a, "lead", roles=["cs_supervisor"])
    customer = client.post("/api/v1/customers", headers=a.headers(),
                           json={"name": "五号楼业主", "phones": [{"number": "13700001234"}]}).get_json()["id"]
    cases(client, a)
    body = {"channel": "phone", "content": "五号楼电梯困人", "customer_id": customer, "complainant_name": "李先生"}
    first = client.post("/api/v1/complaints", headers=a.headers(), json=body).get_json()
    second = client.post("/api/v1/complaints", headers=a.headers(), json={**body, "complainant_name": "赵女士"}).get_json()
    base = f"{live_server}/t/tenant-a"
    shot = lambda name: page.screenshot(path=str(artifacts_dir / f"e2e-complaint-reports-{name}.png"), full_page=True)  # noqa: E731

    _login(page, base, "lead")
    page.click("nav.main a[data-nav=complaints]")
    page.click("nav.tabs >> text=投诉报表")
    page.wait_for_url(re.compile(r".*/complaints/reports$"))
    assert page.locator("#rep-summary [data-figure=issues]").inner_text() == "5"
    assert page.locator("#rep-categories svg").count() == 1 and page.locator("table[data-table=sla]").count() == 1
    shot("1-this-month")
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    page.fill("#period input[name=date_from]", today)
    page.select_option("#period select[name=basis]", "closed")
    page.click("#period button[type=submit]")
    assert "basis=closed" in page.url and page.locator("#rep-summary [data-figure=issues]").inner_text() == "0"
    shot("2-closed-today")

    page.goto(f"{base}/complaints/{first['id']}")
    box = page.locator("#tool-link")
    box.locator("input[name=numbers]").fill("NOPE-404")
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#tool-link [data-field=numbers] .field-error").count() == 1
    assert page.input_value("#tool-link input[name=numbers]") == "NOPE-404"
    shot("3-link-error")
    page.locator("#tool-link input[name=numbers]").fill(second["number"])
    page.locator("#tool-link button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash.ok").count() == 1
    assert second["number"] in page.locator("#case-records").inner_text()
    shot("4-linked")
