"""The sales office's reception desk (接待台) in a real browser: the front desk registers first-time
visitors and the desk shows who is on turn and who stands by changing (RE-01), in Chinese."""
from core.db import utcnow
from plugins.real_estate.reception import local_day
from tests.helpers import PASSWORD
from tests.plugins.real_estate.reception_fixtures import make_office


def test_front_desk_registers_arrivals_and_the_desk_follows(live_server, page, make_tenant, client, artifacts_dir):
    office = make_office(client, make_tenant)
    from core.tenancy import tenant_scope

    with tenant_scope(office.handle.id):
        today = local_day(utcnow()).isoformat()
    office.set_order(["Wang", "Li", "Zhang"], day=today)  # written before the browser starts
    base = f"{live_server}/t/re-a/re/reception/{office.project_id}"
    page.goto(base)
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base)
    assert page.locator("#on-turn").inner_text().strip() == "Wang"
    assert page.locator("#standby").inner_text().strip() == "Li"
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "30"
    page.screenshot(path=str(artifacts_dir / "e2e-re-reception-desk-start.png"), full_page=True)
    for i, name in enumerate(["首访客一", "首访客二"]):
        page.goto(f"{base}/arrivals")
        page.fill("input[name=customer_name]", name)
        page.fill("input[name=phone]", f"1390000099{i}")
        page.check("input[name=visited_before][value=no]")
        if i == 0:
            page.screenshot(path=str(artifacts_dir / "e2e-re-reception-arrival-form.png"), full_page=True)
        page.click("#arrival-form button[type=submit]")
        page.wait_for_url(f"{live_server}/t/re-a/re/reception/receptions/*")
        assert "已登记" in page.locator(".flash").inner_text()
        assert page.locator("#receiver").inner_text().strip() == ["Wang", "Li"][i]
        page.goto(base)
        assert page.locator("#on-turn").inner_text().strip() == ["Li", "Zhang"][i]
        assert page.locator("#standby").inner_text().strip() == ["Zhang", "Wang"][i]
    assert page.locator("#receptions tr[data-reception]").count() == 2
    assert page.locator("#receptions a.why").count() == 2
    page.screenshot(path=str(artifacts_dir / "e2e-re-reception-desk-after.png"), full_page=True)
