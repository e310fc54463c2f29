"""RE-50..52 in the portal, in Chinese: the reports with their charts, tables and export links (the
vector's numbers on the page), the deposit registers and the signing list, the follow-up sheet and its
form, my plans; a salesperson has no reports and does not open another salesperson's plan."""
from __future__ import annotations

import pytest

from tests.plugins.real_estate.office_world import build_office, seed_week
from tests.web.portal.test_login import _csrf, login

BASE = "/t/re-a/re/office"


@pytest.fixture
def office(make_tenant):
    office = build_office(make_tenant)
    seed_week(office)
    return office


def page(client, path, status=200):
    r = client.get(f"{BASE}{path}")
    assert r.status_code == status, (path, r.status_code)
    return r.get_data(as_text=True)


def test_the_reports_in_chinese_with_charts_tables_and_exports(client, office):
    assert login(client, "re-a", "manager").status_code == 302
    home = client.get("/t/re-a/").get_data(as_text=True)
    assert "售楼报表" in home and "工作计划" in home and "客户追踪表" in home
    assert "锦城花园" in page(client, "/reports")
    body = page(client, f"/projects/{office.project_id}/reports?day=2026-09-21")
    assert "来人来电统计表" in body and "<svg" in body and "周来访来电成交分析" in body
    assert '<tr data-count="visits"><th>来访</th><td>14</td>' in body
    assert '<tr data-count="new_visitors"><th>新客来访</th><td>9</td>' in body
    assert '<tr data-count="calls"><th>来电</th><td>22</td>' in body
    assert '<tr data-count="small_deposits"><th>小定</th><td>2</td>' in body
    assert '<td data-value="new_visitors">41</td>' in body and '<td data-value="visit_conversion">7.3%</td>' in body
    assert 'data-export="daily"' in body and "导出CSV" in body
    export = client.get(f"{BASE}/projects/{office.project_id}/export?report=week&day=2026-09-21")
    assert export.status_code == 200 and export.data.startswith(b"\xef\xbb\xbf")
    assert "7.3%" in export.data.decode("utf-8-sig")
    small = page(client, f"/projects/{office.project_id}/deposits?kind=small&date_from=2026-09-01&date_to=2026-09-30")
    assert "小定登记表" in small and "XD-2026-09-21-0" in small and "5,000.00" in small
    signings = page(client, f"/projects/{office.project_id}/signings?date_from=2026-09-01&date_to=2026-09-30")
    assert "签约一览表" in signings and "HT-2026-0001" in signings
    bad = page(client, f"/projects/{office.project_id}/signings?date_from=2026-09-30&date_to=2026-09-01")
    assert "签约一览表" in bad  # the period's error on the form, the page still shown


def test_the_follow_up_sheet_and_the_evening_meetings_entry(client, office):
    assert login(client, "re-a", "supervisor").status_code == 302
    customer = office.customers["张三"]
    form = page(client, f"/customers/{customer}/follow-ups")
    assert "意向等级" in form and "晚会日期" in form
    r = client.post(f"{BASE}/customers/{customer}/follow-ups", data={
        "csrf_token": _csrf(form), "intent_class": "A", "day": "2026-09-21", "note": "晚会：客户考虑3-1502",
        "salesperson_id": str(office.users["wang"])})
    assert r.status_code == 302, r.get_data(as_text=True)
    sheet = page(client, "/follow-ups")
    assert "客户追踪表" in sheet and "张三" in sheet and "晚会：客户考虑3-1502" in sheet
    bad = client.post(f"{BASE}/customers/{customer}/follow-ups", data={"csrf_token": _csrf(form), "intent_class": "A"})
    assert bad.status_code == 422 and 'class="field has-error" data-field="note"' in bad.get_data(as_text=True)


def test_my_plans_and_nobody_elses(client, office):
    assert login(client, "re-a", "wang").status_code == 302
    page(client, "/reports", status=403)
    plans = page(client, "/plans")
    assert "工作计划" in plans and "提交计划" in plans
    r = client.post(f"{BASE}/plans", data={"csrf_token": _csrf(plans), "kind": "daily", "plan": "上午回访张三"})
    assert r.status_code == 302
    plan_url = r.headers["Location"]
    shown = client.get(plan_url).get_data(as_text=True)
    assert "日计划" in shown and "上午回访张三" in shown and "当日总结" in shown
    again = client.post(f"{BASE}/plans", data={"csrf_token": _csrf(plans), "kind": "daily", "plan": "再写"})
    assert again.status_code == 409 and "日计划已提交" in again.get_data(as_text=True)
    summary = client.post(f"{plan_url}/summary", data={"csrf_token": _csrf(shown), "summary": "张三约了周六"})
    assert summary.status_code == 302
    client.post("/t/re-a/logout", data={"csrf_token": _csrf(shown)})
    assert login(client, "re-a", "li").status_code == 302
    assert client.get(plan_url).status_code == 403
    assert "上午回访张三" not in page(client, "/plans")
    page(client, f"/plans?user_id={office.users['wang']}", status=403)
    client.post("/t/re-a/logout", data={"csrf_token": _csrf(page(client, "/plans"))})
    assert login(client, "re-a", "manager").status_code == 302
    assert "张三约了周六" in client.get(plan_url).get_data(as_text=True)
    assert "上午回访张三" in page(client, "/plans")
