"""Attribution (判客) in a real browser: a manager opens a disputed customer's attribution page (Li
refused B and asked for A, RE-13) and sees the rule, the reason and the split. Screenshot in
test-artifacts/."""
from tests.helpers import PASSWORD
from tests.plugins.real_estate.attribution_support import Office, at


def test_manager_reads_why_a_disputed_customer_goes_to_a(live_server, page, make_tenant, artifacts_dir):
    office = Office(make_tenant)
    with office.scope():  # written before the browser starts (SQLite: one writer at a time)
        li = office.customer("李女士")
        office.reception(li, at(3, 1), "B", rotation=True)
        office.reception(li, at(4, 15), "A", refused="B", designated="A", present=("A", "B"))
        office.subscribe(li, at(4, 20), "A")
    base = f"{live_server}/t/{office.handle.slug}"
    page.goto(f"{base}/re/attribution")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/re/attribution")
    page.fill("input[name=customer_id]", str(li))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/re/attribution/customers/{li}")
    assert page.locator("code.rule-id").inner_text() == "RE-13"
    assert "客户拒绝" in page.locator("#why .reason").inner_text()
    performance = page.locator("table.shares >> nth=0").inner_text()
    bonus = page.locator("table.shares >> nth=1").inner_text()
    assert "A" in performance and "100.00%" in performance
    assert "80.00%" in bonus and "20.00%" in bonus and "B" in bonus
    assert page.locator("#why a.why").count() == 1  # the deal's own decision
    page.screenshot(path=str(artifacts_dir / "e2e-re-attribution-why.png"), full_page=True)
