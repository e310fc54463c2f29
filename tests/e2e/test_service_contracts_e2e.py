"""Service contracts, recurring duties and the service report in a real browser: a contract saved after a
field error (nothing typed lost), renewed and paid (2026-11-15 ~ 2027-11-14), a pest-control duty set up,
the report with its charts and the export landing on the job's page (screenshots in test-artifacts/)."""
import re

from tests.e2e.test_service_e2e import _login
from tests.web.api.test_service_contracts_api import Office


def test_contract_renewal_duty_and_report_in_chromium(live_server, browser, page, client, make_tenant, artifacts_dir):
    office = Office(client, make_tenant, "contracts-e2e")
    slug = office.handle.slug

    # the desk records the contract: a wrong term first, then corrected
    _login(page, live_server, slug, "ma")
    page.goto(f"{live_server}/t/{slug}/work-orders")
    page.click("nav.tabs a[href$='/service/contracts']")
    page.click("a[data-action=new-contract]")
    page.fill("input[name=customer_id]", str(office.customer_id))
    page.fill("input[name=subject]", "GT车载管理软件")
    page.fill("input[name=reference]", "HT-2025-118")
    page.fill("input[name=signed_on]", "2025-11-15")
    page.fill("input[name=installed_on]", "2025-11-15")
    page.fill("input[name=term]", "1 fortnights")
    page.fill("input[name=amount]", "12000")
    page.click("button[data-submit]")
    assert page.locator("#e-term").is_visible()
    assert page.input_value("input[name=subject]") == "GT车载管理软件"
    page.screenshot(path=str(artifacts_dir / "e2e-service-contract-errors.png"), full_page=True)
    page.fill("input[name=term]", "1 years")
    page.click("button[data-submit]")
    page.wait_for_url(re.compile(r".*/service/contracts/\d+$"))
    contract_url = page.url
    assert "2026-11-14" in page.locator("table.periods").inner_text()
    # the renewal comes back signed by fax on 10-20: payment due through 10-23
    page.fill("form[data-step=renew] input[name=signed_on]", "2026-10-20")
    page.click("form[data-step=renew] button[type=submit]")
    page.wait_for_url(contract_url)
    assert "2026-10-23" in page.locator("table.renewals").inner_text()

    # finance records the payment: the next period from the day after the old end
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    finance = context.new_page()
    _login(finance, live_server, slug, "fu")
    finance.goto(contract_url)
    finance.fill("form[data-step=payment] input[name=paid_on]", "2026-10-22")
    finance.fill("form[data-step=payment] input[name=receipt_no]", "SK-1022")
    finance.click("form[data-step=payment] button[type=submit]")
    finance.wait_for_url(contract_url)
    assert "2026-11-15 ~ 2027-11-14" in finance.locator("table.renewals").inner_text()
    finance.screenshot(path=str(artifacts_dir / "e2e-service-contract-renewed.png"), full_page=True)
    finance.goto(f"{live_server}/t/{slug}/service/contracts")
    finance.screenshot(path=str(artifacts_dir / "e2e-service-contracts-list.png"), full_page=True)
    context.close()

    # the department manager sets up pest control, then looks at the report and exports it
    manager_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    manager = manager_context.new_page()
    _login(manager, live_server, slug, "zhao")
    manager.goto(f"{live_server}/t/{slug}/service/duties/new")
    manager.fill("input[name=code]", "pest_control")
    manager.fill("input[name=title]", "公共区域除虫灭害")
    manager.select_option("select[name=work_order_type]", "maintenance")
    manager.fill("input[name=at_least]", "2")
    manager.select_option("select[name=period]", "month")
    manager.fill("input[name=site]", "阳光花园")
    manager.click("button[data-submit]")
    manager.wait_for_url(re.compile(r".*/service/duties/\d+$"))
    assert "pest_control" in manager.locator("h1").inner_text()
    manager.screenshot(path=str(artifacts_dir / "e2e-service-duty.png"), full_page=True)
    manager.goto(f"{live_server}/t/{slug}/service/reports?date_from=2026-11-01&date_to=2026-11-30")
    assert manager.locator("svg.chart").count() >= 5
    manager.screenshot(path=str(artifacts_dir / "e2e-service-report.png"), full_page=True)
    manager.click("button[data-action=export]")
    manager.wait_for_url(re.compile(r".*/jobs/\d+$"))
    assert manager.locator("progress").count() == 1
    manager.screenshot(path=str(artifacts_dir / "e2e-service-report-export.png"), full_page=True)
    manager_context.close()
