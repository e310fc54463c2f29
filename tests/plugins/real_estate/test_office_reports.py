"""RE-50 through the API: the daily visitor and call statistics of Mon 2026-09-21 (14 visits, 9 new, 22
calls, 2 small deposits), the week's conversion (41 new visitors, 3 subscriptions → 7.3%), the month,
the deposit registers, the signing list, the CSV exports with their BOM; who may read them; another
tenant's project is 404."""
from __future__ import annotations

import pytest

from tests.plugins.real_estate.office_world import build_office, seed_week

API = "/api/v1/re/office"


@pytest.fixture
def office(make_tenant):
    office = build_office(make_tenant)
    seed_week(office)
    return office


def get(client, office, path, who="manager", **query):
    return client.get(f"{API}{path}", headers=office.headers(who), query_string=query)


def test_re50_vector_the_daily_report_of_mon_2026_09_21(client, office):
    r = get(client, office, f"/projects/{office.project_id}/daily", day="2026-09-21")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["visits"], body["new_visitors"], body["returning_visitors"], body["calls"],
            body["small_deposits"], body["big_deposits"], body["subscriptions"]) == (14, 9, 5, 22, 2, 0, 1)
    assert body["rule_id"] == "RE-50"
    sunday = get(client, office, f"/projects/{office.project_id}/daily", day="2026-09-20").get_json()
    assert (sunday["calls"], sunday["small_deposits"]) == (1, 0)  # the deposit of 00:30 is the Monday's


def test_re50_vector_the_week_of_09_21_converts_7_3_percent(client, office):
    body = get(client, office, f"/projects/{office.project_id}/conversion", period="week", day="2026-09-23").get_json()
    assert (body["start"], body["end"]) == ("2026-09-21", "2026-09-27")
    assert (body["new_visitors"], body["subscriptions"], body["visit_conversion"]) == (41, 3, "7.3")
    assert body["calls"] == 75 and body["call_conversion"] == "4.0"
    assert [d["visits"] for d in body["days"]] == [14, 10, 8, 9, 5, 9, 7]
    month = get(client, office, f"/projects/{office.project_id}/conversion", period="month", day="2026-09-21").get_json()
    assert (month["start"], month["end"], month["new_visitors"], month["subscriptions"]) == (
        "2026-09-01", "2026-09-30", 41, 3)
    assert month["calls"] == 76 and len(month["days"]) == 30  # the Sunday 09-20 call is September's too
    empty = get(client, office, f"/projects/{office.other_project_id}/conversion", day="2026-09-21").get_json()
    assert (empty["new_visitors"], empty["visit_conversion"]) == (1, "0.0")


def test_re50_the_deposit_registers_and_the_signing_list(client, office):
    small = get(client, office, f"/projects/{office.project_id}/deposits", kind="small",
                date_from="2026-09-01", date_to="2026-09-30").get_json()
    assert [(d["receipt_no"], d["amount"], d["unit"], d["customer"]) for d in small] == [
        ("XD-2026-09-21-0", "5000.00", "3-1502", "张三"), ("XD-2026-09-21-1", "5000.00", "3-1502", "张三")]
    big = get(client, office, f"/projects/{office.project_id}/deposits", kind="big",
              date_from="2026-09-01", date_to="2026-09-30").get_json()
    assert [d["receipt_no"] for d in big] == ["DD-2026-0928"] and big[0]["salesperson"] == "li"
    signings = get(client, office, f"/projects/{office.project_id}/signings", date_from="2026-09-01",
                   date_to="2026-09-30").get_json()
    assert [(s["number"], s["buyer_name"], s["price"], s["custodian"]) for s in signings] == [
        ("HT-2026-0001", "张三", "1480000.00", "assistant")]
    bad = get(client, office, f"/projects/{office.project_id}/signings", date_from="2026-09-30", date_to="2026-09-01")
    assert bad.status_code == 422 and "date_to" in str(bad.get_json())


@pytest.mark.parametrize("report, query, expected", [
    ("daily", {"day": "2026-09-21"}, ["来访 visits,14", "新客来访 new visitors,9", "来电 calls,22",
                                      "小定 small deposits,2"]),
    ("week", {"day": "2026-09-21"}, ["新客来访 new visitors,41", "成交（认购） deals (subscriptions),3",
                                     "来访成交率 visit conversion,7.3%"]),
    ("small_deposits", {"date_from": "2026-09-01", "date_to": "2026-09-30"},
     ["2026-09-21 00:30,3-1502,张三,wang,5000.00,XD-2026-09-21-0,"]),
    ("signings", {"date_from": "2026-09-01", "date_to": "2026-09-30"},
     ["2026-09-25 14:00,HT-2026-0001,3-1502,张三,1480000.00,wang,assistant"]),
])
def test_re50_exports_are_csv_with_a_utf8_bom(client, office, report, query, expected):
    r = get(client, office, f"/projects/{office.project_id}/export", who="assistant", report=report, **query)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"\xef\xbb\xbf")
    lines = r.data.decode("utf-8-sig").split("\r\n")
    for line in expected:
        assert line in lines


def test_reports_are_for_the_office_managers_and_the_tenants_own_projects(client, office, make_tenant):
    assert get(client, office, f"/projects/{office.project_id}/daily", who="wang").status_code == 403
    assert get(client, office, f"/projects/{office.project_id}/daily", who="supervisor").status_code == 200
    other = build_office(make_tenant, "re-b", "乙置业")
    for path in ("daily", "conversion", "deposits", "signings", "export"):
        r = client.get(f"{API}/projects/{office.project_id}/{path}", headers=other.headers("manager"))
        assert r.status_code == 404, path


def test_registers_name_only_the_customers_the_reader_may_see_cus70(client, office, make_tenant):
    """CUS-70: the deposit register and the signing list name a customer (the buyer on the contract) only
    to a reader the core lets see that customer; to another reader the line reads ``#<id>``."""
    from core.audit.recorder import acting_as
    from core.customers import ownership_store
    from core.db import db
    from core.tenancy import tenant_scope

    office.tokens["finance"] = make_tenant.user(office.handle, "finance", roles=["finance"])[1]
    with tenant_scope(office.handle.id), acting_as("test"):
        ownership_store.set_owner(office.customers["张三"], owner_id=office.users["li"], state="protected",
                                  rule_id="CUS-21", reason_zh="测试", reason_en="test")
        db.session.commit()
    customer = office.customers["张三"]
    hidden_from = []
    for who in ("manager", "assistant", "finance"):
        seen = client.get(f"/api/v1/customers/{customer}", headers=office.headers(who)).status_code == 200
        expected = "张三" if seen else f"#{customer}"
        small = get(client, office, f"/projects/{office.project_id}/deposits", who=who, kind="small",
                    date_from="2026-09-01", date_to="2026-09-30").get_json()
        signings = get(client, office, f"/projects/{office.project_id}/signings", who=who, date_from="2026-09-01",
                       date_to="2026-09-30").get_json()
        assert small and {r["customer"] for r in small} == {expected}, (who, small)
        assert signings and {s["buyer_name"] for s in signings} == {expected}, (who, signings)
        hidden_from += [] if seen else [who]
    assert hidden_from, "the vector needs a reader the core hides 张三 from"
