"""The one-command run's demo tenant shows every page with data: each demo user opens every page of
the menu and every record linked from the lists; nothing fails, and the pages are not empty."""
from __future__ import annotations

import re

import pytest

from tests.web.portal.test_login import login

DEMO_USERS = ("admin", "manager", "sales1", "cs", "cs_lead", "tech", "finance")
RECORD_LINK = re.compile(r'href="(/t/huaxin/(?:customers|complaints|work-orders|staff/slips|staff/entries|jobs|decisions)/\d+)"')


@pytest.fixture
def demo(ctx):
    from tenants.demo import provision_demo_tenants

    provision_demo_tenants()
    return ctx


def _menu(html: str) -> list[str]:
    return re.findall(r'<a href="(/t/huaxin/[^"]*)" data-nav="[^"]+"', html)


def test_every_demo_user_opens_every_page_of_the_menu_and_the_records_it_lists(client, demo):
    failures, opened = [], set()
    for username in DEMO_USERS:
        assert login(client, "huaxin", username, password="kehu-demo").status_code == 302, username
        home = client.get("/t/huaxin/").get_data(as_text=True)
        for url in _menu(home):
            response = client.get(url)
            html = response.get_data(as_text=True)
            if response.status_code != 200:
                failures.append(f"{username} {url}: {response.status_code}")
                continue
            opened.add(url)
            for record in sorted(set(RECORD_LINK.findall(html)))[:4]:
                answer = client.get(record)
                if answer.status_code != 200:
                    failures.append(f"{username} {record} (from {url}): {answer.status_code}")
                opened.add(re.sub(r"\d+$", "<id>", record))
        client.post("/t/huaxin/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                        home).group(1)})
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
