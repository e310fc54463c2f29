"""RE-51: the A/B follow-up sheet (客户追踪表). Customers whose latest class is A or B are on it; entries
are made from the evening meeting by the supervisor (for anyone) or the salesperson (for themselves);
a class A customer with no entry for 7 days → the supervisor is reminded once (the job again, or the
next day: nothing); another tenant is untouched."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from tests.plugins.real_estate.office_world import D, at, build_office, reception
from workers.runtime import execute

API = "/api/v1/re/office"
JOB = "re.follow_up_reminders"


@pytest.fixture
def office(make_tenant):
    office = build_office(make_tenant)
    with tenant_scope(office.handle.id):
        reception(office, D(2026, 9, 10), customer="张三", intent_class="A", receiver="wang")  # A since 09-10
        reception(office, D(2026, 9, 11), customer="赵四", intent_class="C", receiver="li")  # C: not tracked
        reception(office, D(2026, 9, 12), customer="钱五", intent_class="B", receiver="li")
        db.session.commit()
    return office


def enter(client, office, customer, who="supervisor", **body):
    return client.post(f"{API}/customers/{office.customers[customer]}/follow-ups", headers=office.headers(who),
                       json=body)


def run(office, when: dt.datetime, again: str = ""):
    """The job as of ``when``; ``again``: a re-run of the same moment (another job record)."""
    return execute(office.handle.id, JOB, {"as_of": when.isoformat()},
                   dedupe_key=f"{JOB}@{when.isoformat()}{again}")


def reminders(office):
    db.session.rollback()
    with tenant_scope(office.handle.id):
        rows = [(n.user_id, n.subject_id, n.rule_id, n.title_zh) for n in db.session.scalars(
            select(Notification).where(Notification.kind == "re.follow_up_gap").order_by(Notification.id))]
        decisions = [(d.rule_id, d.subject_id) for d in db.session.scalars(
            select(Decision).where(Decision.rule_id == "RE-51"))]
        return rows, decisions


def test_the_sheet_holds_the_a_and_b_customers_the_supervisor_enters_the_evening_meetings_follow_ups(client, office):
    r = enter(client, office, "张三", intent_class="A", day="2026-09-14", note="晚会：客户在比较户型，周末带家人再来",
              salesperson_id=office.users["wang"])
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["salesperson_id"], r.get_json()["entered_by"]) == (office.users["wang"],
                                                                           office.users["supervisor"])
    sheet = client.get(f"{API}/follow-up-sheet", headers=office.headers("supervisor")).get_json()
    assert [(s["customer"], s["intent_class"], s["on_sheet_since"], s["last_follow_up_on"]) for s in sheet] == [
        ("钱五", "B", "2026-09-12", None), ("张三", "A", "2026-09-10", "2026-09-14")]
    # a salesperson sees their own customers; a C entry takes the customer off the sheet
    mine = client.get(f"{API}/follow-up-sheet", headers=office.headers("wang")).get_json()
    assert [s["customer"] for s in mine] == ["张三"]
    assert enter(client, office, "钱五", who="li", intent_class="C", day="2026-09-15",
                 note="客户已在别处购房").status_code == 201
    sheet = client.get(f"{API}/follow-up-sheet", headers=office.headers("manager")).get_json()
    assert [s["customer"] for s in sheet] == ["张三"]


def test_follow_up_entries_are_checked(client, office):
    assert enter(client, office, "张三", who="wang", intent_class="A", note="回访",
                 salesperson_id=office.users["li"]).status_code == 403  # another salesperson's line
    unknown = enter(client, office, "张三", intent_class="A", note="回访", salesperson_id=987654321)
    assert unknown.status_code == 422 and "salesperson_id" in unknown.get_json()["errors"]["json"]
    bad = enter(client, office, "张三", intent_class="D", day="2099-01-01", note=" ")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]["json"]) == {"intent_class", "day", "note"}
    entry = enter(client, office, "张三", who="wang", intent_class="A", note="电话回访").get_json()
    assert client.get(f"{API}/follow-ups/{entry['id']}", headers=office.headers("li")).status_code == 403
    assert client.get(f"{API}/follow-ups/{entry['id']}", headers=office.headers("supervisor")).status_code == 200
    listed = client.get(f"{API}/customers/{office.customers['张三']}/follow-ups", headers=office.headers("li"))
    assert listed.get_json() == []


def test_re51_vector_class_a_without_a_follow_up_for_7_days_reminds_the_supervisor_once(client, office, make_tenant):
    other = build_office(make_tenant, "re-b", "乙置业")
    with tenant_scope(other.handle.id):
        reception(other, D(2026, 9, 1), customer="张三", intent_class="A")
        db.session.commit()
    assert enter(client, office, "张三", intent_class="A", day="2026-09-14", note="晚会：等贷款审批",
                 salesperson_id=office.users["wang"]).status_code == 201
    assert enter(client, office, "钱五", intent_class="B", day="2026-09-20", note="晚会：约了看样板间",
                 salesperson_id=office.users["li"]).status_code == 201
    assert run(office, at(D(2026, 9, 21), 9))["reminded"] == []  # 09-15..09-21 not yet over
    result = run(office, at(D(2026, 9, 22), 9))
    assert result["reminded"] == [office.customers["张三"]]
    rows, decisions = reminders(office)
    assert rows == [(office.users["supervisor"], office.customers["张三"], "RE-51", "A类客户张三待跟进")]
    assert decisions == [("RE-51", office.customers["张三"])]
    assert run(office, at(D(2026, 9, 22), 9), again=":re-run")["reminded"] == []  # the same moment again
    assert run(office, at(D(2026, 9, 23), 9))["reminded"] == []  # the next day: the same gap
    assert reminders(office) == (rows, decisions)
    assert reminders(other) == ([], [])  # another tenant: untouched
    # a new entry, then another week without one: a new reminder
    assert enter(client, office, "张三", intent_class="A", day="2026-09-23", note="晚会：贷款已批").status_code == 201
    assert run(office, at(D(2026, 9, 30), 9))["reminded"] == [office.customers["钱五"]]  # 09-20 + 7 days
    assert run(office, at(D(2026, 10, 1), 9))["reminded"] == [office.customers["张三"]]  # 09-23 + 7 days
    assert len(reminders(office)[0]) == 3


def _hide_from_wang(office, customer):
    """``customer`` becomes li's protected customer: the core hides it from wang (CUS-70)."""
    from core.audit.recorder import acting_as
    from core.customers import ownership_store

    with tenant_scope(office.handle.id), acting_as("test"):
        ownership_store.set_owner(office.customers[customer], owner_id=office.users["li"], state="protected",
                                  rule_id="CUS-21", reason_zh="测试", reason_en="test")
        db.session.commit()


def test_a_customer_hidden_by_the_core_is_404_on_the_sheet_api_and_page_cus70(client, office):
    """CUS-70: a salesperson may neither write nor read follow-ups of a customer the core hides from them
    (404, as the core's customer API); nothing is written; the sheet never names such a customer."""
    from tests.web.portal.test_login import login

    _hide_from_wang(office, "赵四")
    hidden = office.customers["赵四"]
    assert client.get(f"/api/v1/customers/{hidden}", headers=office.headers("wang")).status_code == 404
    r = enter(client, office, "赵四", who="wang", intent_class="A", note="called")
    assert r.status_code == 404, r.get_json()
    assert client.get(f"{API}/customers/{hidden}/follow-ups", headers=office.headers("wang")).status_code == 404
    with tenant_scope(office.handle.id):
        from plugins.real_estate.office_models import FollowUpEntry
        assert db.session.scalars(select(FollowUpEntry)).all() == []
    # li's entry makes 赵四 tracked; the supervisor's sheet shows it only as far as the core lets them see
    assert enter(client, office, "赵四", who="li", intent_class="A", note="回访").status_code == 201
    for who in ("wang", "supervisor", "manager"):
        lines = client.get(f"{API}/follow-up-sheet", headers=office.headers(who)).get_json()
        seen = client.get(f"/api/v1/customers/{hidden}", headers=office.headers(who)).status_code == 200
        shown = {(line["customer"], line["last_note"]) for line in lines if line["customer_id"] == hidden}
        assert shown <= ({("赵四", "回访")} if seen else {(f"#{hidden}", None)}), (who, lines)
        assert who == "wang" or shown, (who, lines)  # the keepers have the line (named or not)
    assert login(client, "re-a", "wang").status_code == 302
    assert client.get(f"/t/re-a/re/office/customers/{hidden}/follow-ups").status_code == 404
