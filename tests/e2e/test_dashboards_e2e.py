"""Home pages per role and the managers' dashboards in a real browser, on a laptop and a phone viewport
(screenshots in test-artifacts/): charts are inline SVG (nothing fetched), the numbers' tables are
there, the period selector works without JavaScript."""
import datetime as dt

import pytest

from tests.helpers import PASSWORD
from tests.web.portal.test_home_and_dashboards import Company

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def company(client, make_tenant):
    """A small company with data on every chart: customers with owners and grades, commitments,
    complaints (some overdue), work orders of the technician (one overdue)."""
    c = Company(client, make_tenant, "dash-e2e")
    now = c.now
    customers = [("王小明", "13900001111", "sales1", 58, "A"), ("李华", "13900001112", "sales1", 3, "B"),
                 ("赵六", "13900001113", "sales1", 10, None), ("李四", "13900002222", "sales2", 58, "A"),
                 ("张三", "13900003333", "sales2", 20, "C")]
    ids = {}
    for name, mobile, owner, days, tier in customers:
        ids[name] = c.customer(name, mobile, owner=owner, claimed_days_ago=days)
        if tier:
            c.grade(ids[name], tier)
    c.commitment(ids["王小明"], "sales1", now + dt.timedelta(hours=1), "下午回复报价")
    c.commitment(ids["李华"], "sales1", now - dt.timedelta(hours=3), "上午送样品")
    c.commitment(ids["李四"], "sales2", now + dt.timedelta(hours=2), "回电话")
    for days in (3, 1, 0):
        c.complaint(now - dt.timedelta(days=days, minutes=5))
    c.order(now - dt.timedelta(days=2), assignee="tech")
    c.order(now - dt.timedelta(hours=3), assignee="tech")
    return c


def sign_in(page, base, slug, username):
    page.goto(f"{base}/t/{slug}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/t/{slug}/")


def test_home_page_of_each_role(live_server, page, company, artifacts_dir):
    slug = company.handle.slug
    expected = {"sales1": ["我今天的跟进", "即将失去保护的客户", "我本月的业绩"], "cs": ["我处理中的投诉"],
                "tech": ["我的未完工单"], "gm": ["本月", "团队逾期事项", "升级事项"]}
    for username, headings in expected.items():
        page.context.clear_cookies()
        sign_in(page, live_server, slug, username)
        shown = page.locator("main h2").all_inner_texts()
        assert [h.split()[0] for h in shown] == headings, shown
        page.screenshot(path=str(artifacts_dir / f"e2e-dashboards-home-{username}.png"), full_page=True)
    # the salesperson's view: only their customers
    page.context.clear_cookies()
    sign_in(page, live_server, slug, "sales1")
    text = page.locator("main").inner_text()
    assert "王小明" in text and "下午回复报价" in text and "李四" not in text


def test_dashboards_on_a_laptop_and_a_phone(live_server, browser, page, company, artifacts_dir):
    slug = company.handle.slug
    sign_in(page, live_server, slug, "gm")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.click("nav.main a[data-nav=dashboards]")
    page.wait_for_url(f"{live_server}/t/{slug}/dashboards")
    assert page.locator("svg.chart[role=img]").count() == 7
    assert page.locator("table[data-table=categories] tfoot [data-total=issues]").inner_text() == "3"
    assert all(url.startswith(live_server) for url in requests)  # no CDN, nothing from outside
    page.screenshot(path=str(artifacts_dir / "e2e-dashboards-laptop.png"), full_page=True)
    # the period selector is a plain form: the previous month
    page.click("a[rel=prev]")
    page.wait_for_url(f"{live_server}/t/{slug}/dashboards?month=*")
    assert page.locator("table[data-table=sla] tbody tr").count() == 6
    # a phone: the charts fit the screen and the tables scroll inside their card
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, device_scale_factor=2)
    mobile = phone.new_page()
    sign_in(mobile, live_server, slug, "gm")
    mobile.goto(f"{live_server}/t/{slug}/dashboards")
    widths = mobile.eval_on_selector_all("svg.chart", "els => els.map(e => e.getBoundingClientRect().width)")
    assert widths and max(widths) <= PHONE["width"]
    page_width = mobile.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"] + 1, page_width
    mobile.screenshot(path=str(artifacts_dir / "e2e-dashboards-phone.png"), full_page=True)
    mobile.locator("#dash-sla").scroll_into_view_if_needed()
    mobile.screenshot(path=str(artifacts_dir / "e2e-dashboards-phone-screen.png"))  # one screenful, as seen
    mobile.context.clear_cookies()
    sign_in(mobile, live_server, slug, "sales1")
    mobile.screenshot(path=str(artifacts_dir / "e2e-dashboards-home-sales1-phone.png"), full_page=True)
    phone.close()
