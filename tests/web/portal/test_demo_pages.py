"""The one-command run's demo tenants show every page with data: each demo user opens every page of
the menu and every record linked from the lists; nothing fails, and the pages are not empty. The
generic company (huaxin) and the real-estate sales office (jincheng, the plugin's pages)."""
from __future__ import annotations

import re

import pytest

from tests.web.portal.test_login import login

DEMO_USERS = ("admin", "manager", "sales1", "cs", "cs_lead", "tech", "finance")
RECORDS = r"(?:customers|complaints|work-orders|staff/slips|staff/entries|jobs|decisions)/\d+"
#: the sales office's logins and the plugin's record pages (receptions, units, subscriptions, customers' why)
OFFICE_USERS = ("manager", "sales1", "sales4", "supervisor", "desk", "control", "finance", "admin")
OFFICE_RECORDS = (r"(?:re/reception/receptions|re/reception|re/sales/units|re/sales/subscriptions|"
                  r"re/attribution/customers|re/changes|re/office/plans|decisions)/\d+")


@pytest.fixture
def demo(ctx):
    from tenants.demo import provision_demo_tenants

    provision_demo_tenants(only="huaxin")
    return ctx


def _menu(html: str, slug: str) -> list[str]:
    return re.findall(rf'<a href="(/t/{slug}/[^"]*)" data-nav="[^"]+"', html)


def walk(client, slug: str, users, records: str) -> tuple[list[str], set[str]]:
    """Each user opens every page of their menu and up to four records each page links to; returns the
    failures and the pages opened (record ids as ``<id>``)."""
    record_link = re.compile(rf'href="(/t/{slug}/{records})"')
    failures, opened = [], set()
    for username in users:
        assert login(client, slug, username, password="kehu-demo").status_code == 302, username
        home = client.get(f"/t/{slug}/").get_data(as_text=True)
        for url in _menu(home, slug):
            response = client.get(url)
            html = response.get_data(as_text=True)
            if response.status_code != 200:
                failures.append(f"{username} {url}: {response.status_code}")
                continue
            opened.add(url)
            for record in sorted(set(record_link.findall(html)))[:4]:
                answer = client.get(record)
                if answer.status_code != 200:
                    failures.append(f"{username} {record} (from {url}): {answer.status_code}")
                opened.add(re.sub(r"\d+$", "<id>", record))
        client.post(f"/t/{slug}/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                         home).group(1)})
    return failures, opened


def test_every_demo_user_opens_every_page_of_the_menu_and_the_records_it_lists(client, demo):
    failures, opened = walk(client, "huaxin", DEMO_USERS, RECORDS)
    assert failures == []
    for page in ("/t/huaxin/customers/<id>", "/t/huaxin/complaints/<id>", "/t/huaxin/work-orders/<id>",
                 "/t/huaxin/dashboards", "/t/huaxin/policies", "/t/huaxin/staff", "/t/huaxin/data"):
        assert page in opened, f"no demo user reached {page}"


def test_the_managers_home_and_dashboards_show_the_demo_figures(client, demo):
    login(client, "huaxin", "manager", password="kehu-demo")
    dashboards = client.get("/t/huaxin/dashboards").get_data(as_text=True)
    assert dashboards.count("<svg") >= 4 and "暂无数据" not in dashboards
    login(client, "huaxin", "cs", password="kehu-demo")
    home = client.get("/t/huaxin/").get_data(as_text=True)
    assert 'class="clock' in home  # the agent's own open cases, with their time left


def test_the_demo_manager_has_a_disputed_customer_to_rule_on(client, demo):
    login(client, "huaxin", "manager", password="kehu-demo")
    page = client.get("/t/huaxin/customers/manage").get_data(as_text=True)
    assert "成都远航物流有限公司" in page


def test_the_sales_office_demo_opens_every_page_of_every_login(client, ctx):
    """The real-estate demo: every login's menu, the plugin's pages among them, and the records they
    list (receptions, units, subscriptions, a customer's attribution, decisions) open with data."""
    from tenants.demo import provision_demo_tenants

    provision_demo_tenants(only="jincheng")
    failures, opened = walk(client, "jincheng", OFFICE_USERS, OFFICE_RECORDS)
    assert failures == []
    for page in ("/t/jincheng/re/reception", "/t/jincheng/re/sales", "/t/jincheng/re/attribution",
                 "/t/jincheng/re/changes", "/t/jincheng/re/office/reports", "/t/jincheng/re/sales/units/<id>"):
        assert page in opened, f"no demo user reached {page}"
