"""The reception through the API with the spec's vectors (RE-01, RE-02, RE-03, RE-05, RE-14)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.customers import ownership_store
from core.customers.assignment.models import RegisterEntry
from core.db import db
from core.tenancy import tenant_scope
from plugins.real_estate.reception_models import Reception
from tests.plugins.real_estate.reception_fixtures import DAY, at, make_office


@pytest.fixture
def office(client, make_tenant):
    return make_office(client, make_tenant)


def test_re01_rotation_vector_end_to_end(office):
    day = office.set_order(["Wang", "Li", "Zhang"])
    got = []
    n1 = office.arrive("09:30", "13900000001", "N1")
    assert (office.receiver(n1), office.names[n1["standby_id"]], n1["received_as"]) == ("Wang", "Li", "regular")
    assert n1["decision"]["rule_id"] == "RE-01"
    assert "待接（在接待台候客）：Li" in n1["decision"]["reason_zh"]
    office.absent(day["id"], "Wang", "company_business", at("10:00"), at("11:30"))
    for hm, phone in (("10:15", "2"), ("10:40", "3"), ("11:00", "4")):
        got.append(office.receiver(office.arrive(hm, f"1390000000{phone}")))
    assert got == ["Li", "Zhang", "Li"]
    desk = office.call("get", f"/projects/{office.project_id}/desk", query_string={"at": at("11:10")}).get_json()
    assert desk["owed"] == {str(office.ids["Wang"]): 1}
    assert office.names[desk["pointer"]] == "Zhang"
    n5 = office.arrive("11:45", "13900000005")
    assert (office.receiver(n5), n5["received_as"], n5["turn_consumed"]) == ("Wang", "make_up", True)
    assert office.names[n5["standby_id"]] == "Zhang"
    assert office.names[n5["decision"]["outcome"]["pointer"]] == "Zhang" and n5["decision"]["outcome"]["owed"] == {}
    assert [office.receiver(office.arrive(hm, f"1390000000{p}")) for hm, p in (("12:10", "6"), ("12:20", "7"),
                                                                               ("12:30", "8"))] == [
        "Zhang", "Wang", "Li"]
    listed = office.call("get", f"/projects/{office.project_id}/receptions", query_string={"day": DAY}).get_json()
    assert [office.receiver(r) for r in listed] == ["Wang", "Li", "Zhang", "Li", "Wang", "Zhang", "Wang", "Li"]
    with tenant_scope(office.handle.id):
        entry = db.session.scalars(select(RegisterEntry).where(RegisterEntry.id == n1["register_entry_id"])).one()
        assert (entry.receiver_id, entry.received_as, entry.turn_consumed, entry.first_visit) == (
            office.ids["Wang"], "regular", True, True)
        assert entry.decision_id == n1["decision_id"]
        assert ownership_store.current(n1["customer_id"]).owner_id == office.ids["Wang"]


def test_re02_returning_and_designated_consume_no_turn(office):
    office.set_order(["Wang", "Li", "Zhang"])
    office.arrive("09:00", "13900000011", "老客")  # Wang's customer now; pointer Li
    back = office.arrive("10:00", "13900000011", "老客", visited_before="yes", said_received_by=office.ids["Wang"])
    assert (office.receiver(back), back["received_as"], back["turn_consumed"]) == ("Wang", "returning", False)
    assert back["decision"]["rule_id"] == "RE-02"
    named = office.arrive("10:10", "13900000012", "点名客", named=[office.ids["Zhang"]])
    assert (office.receiver(named), named["received_as"], named["turn_consumed"]) == ("Zhang", "designated", False)
    nxt = office.arrive("10:20", "13900000013")
    assert (office.receiver(nxt), nxt["received_as"]) == ("Li", "regular")


def test_re14_assisted_is_not_charged_a_turn_and_the_customer_stays_the_owners(office):
    day = office.set_order(["Wang", "Li", "Zhang"])
    office.arrive("09:00", "13900000021", "老客")  # Wang's; pointer Li
    office.absent(day["id"], "Wang", "leave", at("09:30"))
    r = office.arrive("10:00", "13900000021", "老客", visited_before="yes", said_received_by=office.ids["Wang"],
                      assistant_id=office.ids["Zhang"])
    assert (office.receiver(r), r["received_as"], r["turn_consumed"], r["assisting_for"]) == (
        "Zhang", "assisted", False, office.ids["Wang"])
    assert r["decision"]["rule_id"] == "RE-14"
    nxt = office.arrive("10:10", "13900000022")
    assert office.receiver(nxt) == "Li"  # the pointer did not move
    with tenant_scope(office.handle.id):
        assert ownership_store.current(r["customer_id"]).owner_id == office.ids["Wang"]


def test_re03_entered_three_days_later_is_accepted_and_late(office):
    office.set_order(["Wang", "Li", "Zhang"], day="2026-09-18")
    r = office.arrive("15:00", "13900000031", day="2026-09-18")
    assert r["late_entry"] is True and office.receiver(r) == "Wang"


def test_re05_visited_before_is_required_and_nothing_is_written(office):
    office.set_order(["Wang", "Li", "Zhang"])
    r = office.arrive("09:30", "13900000041", status=422, visited_before=None)
    assert list(r["errors"]["json"]) == ["visited_before"]
    with tenant_scope(office.handle.id):
        assert db.session.scalar(select(func.count()).select_from(Reception)) == 0
        assert db.session.scalar(select(func.count()).select_from(RegisterEntry)) == 0
    day = office.call("get", f"/projects/{office.project_id}/day", query_string={"day": DAY}).get_json()
    assert office.names[day["pointer"]] == "Wang"


def test_roles_a_salesperson_cannot_set_the_order_and_finance_cannot_register(office):
    r = office.call("put", f"/projects/{office.project_id}/day", who="Wang",
                    json={"day": DAY, "order": [office.ids["Wang"]]})
    assert r.status_code == 403
    office.set_order(["Wang"])
    office.arrive("09:30", "13900000051", who="finance", status=403)
    office.arrive("09:30", "13900000051", who="Li")
