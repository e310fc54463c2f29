"""RE-52: the daily plan with its end-of-day summary, the weekly plan by Saturday 24:00, managers too;
a salesperson sees only their own plans, a manager everyone's; whoever has no weekly plan by
Sat 2026-09-26 24:00 is reminded once; another tenant is untouched."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from core.accounts.models import User
from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from plugins.real_estate.office_models import Plan
from tests.plugins.real_estate.office_world import D, at, build_office
from workers.runtime import execute

API = "/api/v1/re/office"
JOB = "re.plan_reminders"


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant)


def post(client, office, who, path, **body):
    return client.post(f"{API}{path}", headers=office.headers(who), json=body)


def test_daily_plan_then_its_summary_and_one_plan_a_day(client, office):
    r = post(client, office, "wang", "/plans", kind="daily", plan="上午回访张三，下午接待")
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    again = post(client, office, "wang", "/plans", kind="daily", plan="再写一份")
    assert again.status_code == 409
    summary = post(client, office, "wang", f"/plans/{plan['id']}/summary", summary="张三已约周六看房")
    assert summary.status_code == 200 and summary.get_json()["summary"] == "张三已约周六看房"
    assert post(client, office, "li", f"/plans/{plan['id']}/summary", summary="不是我的").status_code == 403
    yesterday = (dt.date.fromisoformat(plan["day"]) - dt.timedelta(days=1)).isoformat()
    assert post(client, office, "wang", "/plans", kind="daily", plan="补写", day=yesterday).status_code == 422
    weekly = post(client, office, "manager", "/plans", kind="weekly", plan="本周主推3号楼")  # managers too
    assert weekly.status_code == 201
    assert dt.date.fromisoformat(weekly.get_json()["day"]).weekday() == 5  # the weekly-plan day: Saturday
    assert post(client, office, "manager", f"/plans/{weekly.get_json()['id']}/summary",
                summary="周计划没有日总结").status_code == 409


def test_a_salesperson_sees_only_their_own_plans_a_manager_everyones(client, office):
    wang = post(client, office, "wang", "/plans", kind="daily", plan="王的计划").get_json()
    post(client, office, "li", "/plans", kind="daily", plan="李的计划")
    assert client.get(f"{API}/plans/{wang['id']}", headers=office.headers("li")).status_code == 403
    assert client.get(f"{API}/plans/{wang['id']}", headers=office.headers("manager")).status_code == 200
    assert client.get(f"{API}/plans/{wang['id']}", headers=office.headers("supervisor")).status_code == 200
    mine = client.get(f"{API}/plans", headers=office.headers("li")).get_json()
    assert [p["plan"] for p in mine] == ["李的计划"]
    assert client.get(f"{API}/plans", headers=office.headers("li"),
                      query_string={"user_id": office.users["wang"]}).status_code == 403
    everyone = client.get(f"{API}/plans", headers=office.headers("manager")).get_json()
    assert sorted(p["plan"] for p in everyone) == ["李的计划", "王的计划"]


def run(office, when: dt.datetime, again: str = ""):
    return execute(office.handle.id, JOB, {"as_of": when.isoformat()}, dedupe_key=f"{JOB}@{when.isoformat()}{again}")


def reminded(office):
    db.session.rollback()
    with tenant_scope(office.handle.id):
        notes = [(n.user_id, n.title_zh) for n in db.session.scalars(
            select(Notification).where(Notification.kind == "re.weekly_plan_missing").order_by(Notification.user_id))]
        decisions = sorted(d.subject_id for d in db.session.scalars(select(Decision).where(Decision.rule_id == "RE-52")))
        return notes, decisions


def test_re52_vector_no_weekly_plan_by_sat_2026_09_26_24_00_reminds_once(office, make_tenant):
    other = build_office(make_tenant, "re-b", "乙置业")
    with tenant_scope(office.handle.id):  # everyone joined the office on Sun 09-20
        db.session.execute(update(User).where(User.id.in_(list(office.users.values())))
                           .values(created_at=at(D(2026, 9, 20), 9)))
        db.session.add(Plan(user_id=office.users["li"], kind="weekly", day=D(2026, 9, 26), plan="李的周计划",
                            submitted_at=at(D(2026, 9, 26), 17)))
        db.session.commit()
    assert run(office, at(D(2026, 9, 26), 23, 59))["reminded"] == []  # not 24:00 yet (Sat 09-19: before they joined)
    result = run(office, at(D(2026, 9, 27), 0, 5))
    u = office.users
    assert sorted(result["reminded"]) == sorted([u["manager"], u["supervisor"], u["wang"]])  # li handed in
    notes, decisions = reminded(office)
    assert notes == sorted((uid, "请提交2026-09-26的周计划") for uid in (u["manager"], u["supervisor"], u["wang"]))
    assert decisions == sorted([u["manager"], u["supervisor"], u["wang"]])
    assert run(office, at(D(2026, 9, 27), 0, 5), again=":re-run")["reminded"] == []
    assert run(office, at(D(2026, 9, 28), 0, 5))["reminded"] == []  # the next day: the same Saturday
    assert reminded(office) == (notes, decisions)
    assert reminded(other) == ([], [])
