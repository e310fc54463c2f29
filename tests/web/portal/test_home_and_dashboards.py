"""Home pages by role and the managers' dashboards: the numbers shown are those of data made in the test
through the API (customers, claims, commitments, complaints, work orders), each role sees its sections
and not the others', and a salesperson never sees a customer the API hides from them."""
import datetime as dt
import re

import pytest

from tests.helpers import policy_since
from tests.web.portal.test_login import login

UTC = dt.timezone.utc
FIXED = {"ownership": {"mode": "fixed_from_registration"}}
REPAIR = {"type": "repair", "customer_name": "王建国", "address": "北京市朝阳区建国路88号", "contact_name": "王建国",
          "contact_phone": "13800138000", "description": "终端不开机",
          "data": {"model": "GT-06", "purchase_date": "2026-01-05"}}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def months_back(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 - months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=min(moment.day, 28))


class Company:
    """A tenant with two salespeople, a CS agent, a technician, a sales manager and a GM."""

    ROLES = {"sales1": ["salesperson"], "sales2": ["salesperson"], "cs": ["cs_agent"], "tech": ["technician"],
             "boss": ["sales_manager", "dept_manager"], "gm": ["gm"], "both": ["salesperson", "cs_agent"]}

    def __init__(self, client, make_tenant, slug="dash-co"):
        self.client = client
        self.handle = make_tenant(slug, "华信科技")
        self.now = dt.datetime.now(UTC)
        policy_since(self.handle.id, "cus", FIXED, (self.now - dt.timedelta(days=400)).date())
        policy_since(self.handle.id, "svc", {"sla": {"repair": {"*": {"complete": "24 hours"}}}},
                     (self.now - dt.timedelta(days=400)).date())
        self.ids, self.tokens = {}, {}
        for name, roles in self.ROLES.items():
            self.ids[name], self.tokens[name] = make_tenant.user(self.handle, name, roles=roles)
        h = self.handle.headers()
        self.dept = self.api("post", "/api/v1/departments", json={"name": "销售一部", "head_user_id": self.ids["boss"]})["id"]
        for name in ("sales1", "sales2", "boss", "cs", "tech"):
            self.api("patch", f"/api/v1/users/{self.ids[name]}", json={"department_id": self.dept})
        assert h
        self.api("put", f"/api/v1/service-technicians/{self.ids['tech']}", who="boss", json={"areas": ["*"]})

    def api(self, method, url, who=None, expect=(200, 201), **kwargs):
        headers = self.handle.headers(self.tokens[who] if who else None)
        r = getattr(self.client, method)(url, headers=headers, **kwargs)
        assert r.status_code in expect, (url, r.status_code, r.get_json())
        return r.get_json()

    def customer(self, name, mobile, owner=None, claimed_days_ago=None):
        cid = self.api("post", "/api/v1/customers", json={"name": name, "phones": [{"number": mobile}]})["id"]
        if owner:
            at = self.now - dt.timedelta(days=claimed_days_ago or 1)
            self.api("post", f"/api/v1/customers/{cid}/claims",
                     json={"kind": "register", "at": iso(at), "claimant_id": self.ids[owner]})
        return cid

    def grade(self, cid, tier):
        return self.api("put", f"/api/v1/customers/{cid}/grades/grade",
                        json={"tier": tier, "reason": "年度评级", "approver_id": self.ids["boss"]})

    def commitment(self, cid, owner, due_at, text):
        return self.api("post", f"/api/v1/customers/{cid}/commitments",
                        json={"kind": "reply", "text": text, "due_at": iso(due_at), "owner_id": self.ids[owner],
                              "made_at": iso(min(due_at, self.now) - dt.timedelta(hours=1))})

    def complaint(self, received_at, who="cs"):
        return self.api("post", "/api/v1/complaints", who=who,
                        json={"channel": "phone", "content": "空调不制冷", "received_at": iso(received_at)})

    def order(self, requested_at, assignee=None):
        order = self.api("post", "/api/v1/work-orders", who="cs", json={**REPAIR, "requested_at": iso(requested_at)})
        if assignee:
            order = self.api("post", f"/api/v1/work-orders/{order['id']}/dispatch", who="cs",
                             json={"assignee_id": self.ids[assignee], "at": iso(requested_at + dt.timedelta(minutes=10))})
        return order

    def page(self, who, url="/"):
        self.client.post(f"/t/{self.handle.slug}/logout")
        assert login(self.client, self.handle.slug, who).status_code == 302
        r = self.client.get(f"/t/{self.handle.slug}{url}")
        return r.status_code, r.get_data(as_text=True)


@pytest.fixture
def company(client, make_tenant):
    return Company(client, make_tenant)


def sections(html):
    return set(re.findall(r'data-section="([a-z_-]+)"', html))


def figure(html, name):
    return re.search(rf'data-figure="{name}"><b>([^<]*)</b>', html).group(1)


def rows(html, table):
    body = re.search(rf'<table data-table="{table}">(.*?)</table>', html, re.S)
    return [] if body is None else re.findall(r"<tr data-[a-z]+=", body.group(1))


def test_each_role_sees_its_own_sections_only(company):
    assert sections(company.page("sales1")[1]) == {"sales", "expiring", "results"}
    assert sections(company.page("cs")[1]) == {"cs"}
    assert sections(company.page("tech")[1]) == {"tech"}
    assert sections(company.page("gm")[1]) == {"figures", "overdue", "escalations"}
    assert sections(company.page("boss")[1]) == {"sales", "expiring", "results", "figures", "overdue", "escalations"}
    assert sections(company.page("both")[1]) == {"sales", "expiring", "results", "cs"}


def test_salesperson_home_shows_own_follow_ups_and_expiring_customers_only(company):
    now = company.now
    # sales1 registered 王小明 ~2 months minus 3 days ago: protection (2 months, CUS-22) ends in ~3 days
    mine = company.customer("王小明", "13900001111", owner="sales1", claimed_days_ago=58)
    fresh = company.customer("赵六", "13900004444", owner="sales1", claimed_days_ago=1)  # ends in ~2 months
    theirs = company.customer("李四", "13900002222", owner="sales2", claimed_days_ago=58)
    company.commitment(mine, "sales1", now + dt.timedelta(minutes=30), "下午回复报价")
    company.commitment(fresh, "sales1", now + dt.timedelta(days=5), "下周送样品")  # not today
    company.commitment(theirs, "sales2", now + dt.timedelta(minutes=30), "回复李四")
    status, html = company.page("sales1")
    assert status == 200
    assert "王小明" in html and "下午回复报价" in html
    assert "李四" not in html and "回复李四" not in html  # another salesperson's customer (CUS-70)
    assert "下周送样品" not in html
    assert len(rows(html, "follow-ups")) == 1
    expiring = re.search(r'<table data-table="expiring">(.*?)</table>', html, re.S).group(1)
    assert f'data-customer="{mine}"' in expiring and f'data-customer="{fresh}"' not in expiring
    assert "剩余" in expiring
    through = company.api("get", f"/api/v1/customers/{mine}/owner", who="sales1")["until"]  # the API's last day
    assert f"<td>{through}</td>" in expiring
    # the API agrees: sales1 cannot open 李四
    company.api("get", f"/api/v1/customers/{theirs}", who="sales1", expect=(404,))
    other = company.page("sales2")[1]
    assert "李四" in other and "王小明" not in other and "回复李四" in other


def test_salesperson_results_count_own_deals_and_credit(company):
    cid = company.customer("王小明", "13900001111", owner="sales1", claimed_days_ago=2)
    company.api("post", "/api/v1/staff/credits", json={"subject_type": "customer", "subject_id": cid, "amount": "12000.00",
                                                     "owner_id": company.ids["sales1"], "deal_at": iso(company.now)})
    html = company.page("sales1")[1]
    assert figure(html, "performance") == "¥12,000.00"
    assert figure(company.page("sales2")[1], "performance") == "¥0.00"


def test_cs_home_lists_own_open_cases_nearest_deadline_first(company):
    now = company.now
    old = company.complaint(now - dt.timedelta(days=3))  # deadlines passed: overdue
    new = company.complaint(now - dt.timedelta(minutes=5))
    other = company.complaint(now - dt.timedelta(hours=1), who="both")  # taken by another agent
    status, html = company.page("cs")
    cases = re.findall(r'data-case="([^"]+)"', html)
    assert cases == [old["number"], new["number"]] and other["number"] not in html
    assert 'class="clock late"' in html and "已超时" in html and "剩余" in html  # time left / overdue clocks


def test_technician_home_lists_own_open_orders(company):
    now = company.now
    mine = company.order(now - dt.timedelta(hours=2), assignee="tech")
    unassigned = company.order(now - dt.timedelta(hours=1))
    html = company.page("tech")[1]
    assert re.findall(r'data-order="([^"]+)"', html) == [mine["number"]] and unassigned["number"] not in html
    assert 'class="clock ok"' in html and "剩余" in html  # 24 h to complete, requested 2 h before


def test_manager_home_figures_and_overdue_items_match_the_data(company):
    now = company.now
    company.customer("王小明", "13900001111", owner="sales1", claimed_days_ago=2)
    company.customer("李四", "13900002222", owner="sales2", claimed_days_ago=2)
    late_case = company.complaint(now - dt.timedelta(days=3))  # reply due after 24 h: overdue
    company.complaint(now - dt.timedelta(minutes=5))
    late_order = company.order(now - dt.timedelta(days=4), assignee="tech")  # to complete within 24 h: overdue
    company.order(now - dt.timedelta(hours=1), assignee="tech")  # not yet due
    cid = company.customer("钱七", "13900005555", owner="sales1", claimed_days_ago=2)
    company.commitment(cid, "sales1", now - dt.timedelta(hours=2), "昨天该回电话")
    html = company.page("gm")[1]
    month_start = now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(day=1, hour=0, minute=0, second=0)
    received_this_month = sum(1 for t in (now - dt.timedelta(days=3), now - dt.timedelta(minutes=5)) if t >= month_start)
    assert figure(html, "new_customers") == "3"
    assert figure(html, "complaints_received") == str(received_this_month)
    assert figure(html, "complaints_closed") == "0"
    assert re.findall(r'<table data-table="overdue-complaints">.*?</table>', html, re.S)
    assert late_case["number"] in re.search(r'data-table="overdue-complaints">(.*?)</table>', html, re.S).group(1)
    assert len(rows(html, "overdue-complaints")) == 1
    assert [r for r in re.findall(r'data-order="([^"]+)"', html)] == [late_order["number"]]
    assert rows(html, "overdue-orders") and len(rows(html, "overdue-orders")) == 1
    assert "昨天该回电话" in html


def test_dashboards_are_for_managers_only(company):
    assert company.page("sales1", "/dashboards")[0] == 403
    assert company.page("cs", "/dashboards")[0] == 403
    assert company.page("gm", "/dashboards")[0] == 200
    assert company.page("boss", "/dashboards")[0] == 200


def test_dashboard_tables_match_the_data(company):
    now = company.now
    for _ in range(2):
        company.complaint(now - dt.timedelta(minutes=30))
    a = company.customer("王小明", "13900001111", owner="sales1", claimed_days_ago=2)
    b = company.customer("李四", "13900002222", owner="sales2", claimed_days_ago=2)
    company.customer("张三", "13900003333", owner="sales2", claimed_days_ago=2)
    company.grade(a, "A")
    company.grade(b, "A")
    status, html = company.page("gm", "/dashboards")
    grades = dict(re.findall(r'<tr data-grade="([^"]*)"><td>[^<]*</td><td class="num">(\d+)</td>', html))
    assert grades == {"A": "2", "": "1"}  # one ungraded
    assert status == 200 and html.count('role="img"') == 7
    categories = re.search(r'data-table="categories">(.*?)</table>', html, re.S).group(1)
    assert 'data-total="issues">2<' in categories
    owners = dict(re.findall(r'<tr data-owner="([^"]*)">.*?<td class="num" data-total>(\d+)</td>', html, re.S))
    assert owners == {"sales1": "1", "sales2": "2"}
    assert 'data-total="customers">3<' in html
    # the SLA table has one row per month, the chosen month last
    months = re.findall(r'<tr data-month="([0-9-]+)">', html)
    key = now.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")
    assert len(months) == 6 and months[-1] == key


def test_dashboard_month_selector(company):
    status, html = company.page("gm", "/dashboards?month=2026-03")
    assert status == 200 and 'value="2026-03"' in html and 'data-month="2026-03"' in html
    assert 'data-month="2025-10"' in html
    status, html = company.page("gm", "/dashboards?month=March")
    assert status == 422 and "YYYY-MM" in html


def test_dashboard_counts_only_customers_the_manager_may_see(client, make_tenant):
    """A department manager sees the customers of their department (CUS-70): the other department's
    customers are not counted."""
    company = Company(client, make_tenant, "dash-two")
    other_dept = company.api("post", "/api/v1/departments", json={"name": "销售二部"})["id"]
    company.api("patch", f"/api/v1/users/{company.ids['sales2']}", json={"department_id": other_dept})
    company.customer("王小明", "13900001111", owner="sales1", claimed_days_ago=2)
    company.customer("李四", "13900002222", owner="sales2", claimed_days_ago=2)
    visible = len(company.api("get", "/api/v1/customers", who="boss"))
    html = company.page("boss", "/dashboards")[1]
    assert f'data-total="customers">{visible}<' in html
    assert visible == 1 and "李四" not in html


def test_a_department_manager_sees_the_overdue_items_of_their_departments(company):
    now = company.now
    ours = company.complaint(now - dt.timedelta(days=3))  # taken by cs, of 销售一部 (boss heads it)
    theirs = company.complaint(now - dt.timedelta(days=3), who="both")  # taken by an agent of no department
    boss = company.page("boss")[1]
    listed = re.findall(r'<tr data-case="([^"]+)">', re.search(r'data-table="overdue-complaints">(.*?)</table>', boss,
                                                               re.S).group(1))
    assert listed == [ours["number"]] and "本部门" in boss
    gm = company.page("gm")[1]
    listed = re.findall(r'<tr data-case="([^"]+)">', re.search(r'data-table="overdue-complaints">(.*?)</table>', gm,
                                                               re.S).group(1))
    assert sorted(listed) == sorted([ours["number"], theirs["number"]]) and "全公司" in gm


def test_manager_home_lists_escalated_cases_after_the_deadline_sweep(company):
    from core.db import db
    from workers.runtime import execute

    now = company.now
    late = company.complaint(now - dt.timedelta(days=6))
    company.complaint(now - dt.timedelta(minutes=5))
    db.session.rollback()
    assert execute(company.handle.id, "cmp.sla_timers", {"as_of": iso(now)}, dedupe_key="sweep-now") is not None
    db.session.rollback()
    milestones = company.api("get", f"/api/v1/complaints/{late['id']}")["milestones"]
    level = max(m["escalation_level"] for m in milestones)
    assert level >= 1
    html = company.page("gm")[1]
    assert re.findall(r'<tr data-escalation="([^"]+)">', html) == [late["number"]]
    assert f"第 {level} 级" in html


def test_pages_in_english_and_traditional_chinese(company):
    company.complaint(company.now - dt.timedelta(minutes=30))
    slug = company.handle.slug
    company.page("gm")
    company.client.get(f"/t/{slug}/lang/en")
    home = company.client.get(f"/t/{slug}/").get_data(as_text=True)
    assert "Overdue in the team" in home and "whole company" in home
    dash = company.client.get(f"/t/{slug}/dashboards").get_data(as_text=True)
    assert "Complaints by category" in dash and "<title id=" in dash and "Other" in dash  # the category's English label
    company.client.get(f"/t/{slug}/lang/zh_Hant")
    dash = company.client.get(f"/t/{slug}/dashboards").get_data(as_text=True)
    assert "投訴類別分佈" in dash or "投訴類別分布" in dash


def test_dashboard_sla_attainment_and_follow_up_completion_match_the_data(company):
    from core.db import db
    from core.sla import engine as sla
    from core.tenancy import tenant_scope

    now = company.now
    received = now - dt.timedelta(hours=26)  # the reply (24 h) was due 2 hours ago
    met, missed = company.complaint(received), company.complaint(received)
    with tenant_scope(company.handle.id):
        sla.meet("complaint", met["id"], "reply", received + dt.timedelta(hours=1))
        db.session.commit()
    reply_due = next(m["due_at"] for m in missed["milestones"] if m["code"] == "reply")
    shanghai = dt.timezone(dt.timedelta(hours=8))
    due_month = dt.datetime.fromisoformat(reply_due).astimezone(shanghai).strftime("%Y-%m")
    # follow-ups of sales1 due this month: two commitments, one kept
    month_start = now.astimezone(shanghai).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    due = max(now - dt.timedelta(hours=2), month_start + dt.timedelta(minutes=5))
    cid = company.customer("王小明", "13900001111", owner="sales1", claimed_days_ago=2)
    kept = company.commitment(cid, "sales1", due, "回复报价")
    company.commitment(cid, "sales1", due, "送样品")
    company.api("post", f"/api/v1/customers/{cid}/commitments/{kept['id']}/fulfil", who="sales1", json={})
    html = company.page("gm", "/dashboards")[1]
    row = re.search(rf'<tr data-month="{due_month}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-rate="reply">([^<]*)<', row).group(1) == "50.0%"
    person = re.search(r'<tr data-person="sales1">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num"[^>]*>([^<]*)</td>', person) == ["0", "0", "0", "2", "1", "50.0%"]


def test_a_manager_never_sees_a_case_about_themselves(company):
    """CMP-21: the employee complained about never sees the case, not even as a manager on the home page."""
    now = company.now
    about_gm = company.api("post", "/api/v1/complaints", who="cs",
                           json={"channel": "phone", "content": "总经理态度差", "accused_user_id": company.ids["gm"],
                                 "received_at": iso(now - dt.timedelta(days=3))})
    other = company.complaint(now - dt.timedelta(days=3))
    company.api("get", f"/api/v1/complaints/{about_gm['id']}", who="gm", expect=(404,))
    gm = company.page("gm")[1]
    assert other["number"] in gm and about_gm["number"] not in gm
    boss = company.page("boss")[1]
    assert about_gm["number"] in boss and other["number"] in boss
