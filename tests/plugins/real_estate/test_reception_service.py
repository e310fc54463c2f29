"""The reception service: penalties into the staff ledger (RE-04, RE-28), the evening minutes (RE-03) and
two simultaneous first-time arrivals on PostgreSQL (RE-01)."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.db import db
from core.errors import InvalidInput
from core.staff.models import StaffEntry
from core.tenancy import tenant_scope
from plugins.real_estate import reception as service
from tests.plugins.real_estate.reception_fixtures import DAY, at, make_office

SH = ZoneInfo("Asia/Shanghai")
WHEN = dt.datetime(2026, 9, 21, 15, 0, tzinfo=SH)


@pytest.fixture
def office(client, make_tenant):
    return make_office(client, make_tenant)


def test_re04_grabbing_costs_the_day_base_as_a_ledger_proposal(office):
    with tenant_scope(office.handle.id):
        [entry] = service.record_offence({"offence": "grabbing", "offender_id": office.ids["Li"], "occurred_at": WHEN,
                                          "monthly_base": Decimal("4350")}, recorded_by=office.ids["manager"])
        db.session.commit()
        assert (entry.kind, entry.amount, entry.rule_id, entry.offence, entry.state) == (
            "penalty", Decimal("200.00"), "RE-04", "grabbing", "proposed")
        assert "¥4350.00 ÷ 21.75 = ¥200.00" in entry.reason_en and entry.decision_id


def test_re04_serious_case_costs_the_month_base_and_half_the_bonus(office):
    with tenant_scope(office.handle.id):
        [entry] = service.record_offence({"offence": "competing", "offender_id": office.ids["Li"], "occurred_at": WHEN,
                                          "serious": True, "monthly_base": "4350", "month_bonus": "6000"},
                                         recorded_by=office.ids["manager"])
        assert (entry.amount, entry.offence) == (Decimal("7350.00"), "competing_serious")


def test_re28_provoking_disputes_half_the_deal_bonus_and_a_dismissal_review_flag(office):
    r = office.call("post", "/offences", json={"offence": "provoking_disputes", "offender_id": office.ids["Zhang"],
                                               "occurred_at": WHEN.isoformat(), "month_deal_bonus": "8000"})
    assert r.status_code == 201, r.get_json()
    penalty, flag = r.get_json()
    assert (penalty["kind"], penalty["amount"], penalty["rule_id"]) == ("penalty", "4000.00", "RE-28")
    assert (flag["kind"], flag["label"], flag["amount"]) == ("flag", "dismissal_review", "0.00")
    with tenant_scope(office.handle.id):
        assert len(list(db.session.scalars(select(StaffEntry).where(StaffEntry.user_id == office.ids["Zhang"])))) == 2


def test_offences_are_the_managers_and_need_their_amounts(office):
    body = {"offence": "grabbing", "offender_id": office.ids["Li"], "occurred_at": WHEN.isoformat()}
    assert office.call("post", "/offences", who="Wang", json={**body, "monthly_base": "4350"}).status_code == 403
    r = office.call("post", "/offences", json=body)
    assert r.status_code == 422 and "monthly_base" in r.get_json()["errors"]["json"]
    with tenant_scope(office.handle.id):
        assert db.session.scalars(select(StaffEntry)).first() is None
        with pytest.raises(InvalidInput):
            service.record_offence({**body, "occurred_at": WHEN, "serious": True, "monthly_base": 4350},
                                   recorded_by=office.ids["manager"])


def test_re03_evening_minutes_a_line_per_customer(office):
    office.set_order(["Wang", "Li", "Zhang"])
    n1 = office.arrive("09:30", "13900000061", "N1")
    n2 = office.arrive("10:30", "13900000062", "N2")
    lines = [{"customer_id": n1["customer_id"], "salesperson_id": office.ids["Wang"]},
             {"customer_id": n2["customer_id"], "salesperson_id": office.ids["Li"], "follow_up": "周六带看"}]
    r = office.call("post", f"/projects/{office.project_id}/minutes", json={"day": DAY, "note": "晚会", "lines": lines})
    assert r.status_code == 201, r.get_json()
    got = office.call("get", f"/minutes/{r.get_json()['id']}").get_json()
    assert [(x["customer_id"], x["salesperson_id"]) for x in got["lines"]] == [
        (n1["customer_id"], office.ids["Wang"]), (n2["customer_id"], office.ids["Li"])]
    again = office.call("post", f"/projects/{office.project_id}/minutes", json={"day": DAY, "lines": lines[:1]})
    assert again.get_json()["id"] == r.get_json()["id"] and len(again.get_json()["lines"]) == 1
    assert office.call("post", f"/projects/{office.project_id}/minutes", who="desk",
                       json={"day": DAY, "lines": []}).status_code == 403
    bad = office.call("post", f"/projects/{office.project_id}/minutes",
                      json={"day": DAY, "lines": [{"customer_id": 999999, "salesperson_id": office.ids["Li"]}]})
    assert bad.status_code == 422 and "lines.0.customer_id" in bad.get_json()["errors"]["json"]


@pytest.mark.postgres_only
def test_two_simultaneous_first_time_arrivals_take_different_turns(app, office):
    office.set_order(["Wang", "Li", "Zhang"])
    results, start = [], threading.Barrier(2)

    def arrive_now(i):
        with app.app_context():
            start.wait(5)
            r = app.test_client().post(
                f"/api/v1/re/reception/projects/{office.project_id}/receptions",
                headers=office.handle.headers(office.tokens["desk"]),
                json={"at": at("10:00"), "customer_name": f"并发{i}", "phone": f"1390000007{i}", "visited_before": "no"})
            results.append((r.status_code, r.get_json().get("receiver_id")))

    threads = [threading.Thread(target=arrive_now, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(code for code, _ in results) == [201, 201]
    assert sorted(r for _, r in results) == sorted([office.ids["Wang"], office.ids["Li"]])
    desk = office.call("get", f"/projects/{office.project_id}/desk", query_string={"at": at("10:05")}).get_json()
    assert office.names[desk["pointer"]] == "Zhang"
