"""RE-40 unit swap through the API: 1203 (89 m², ¥1,150,000) → 1506 (118 m², ¥1,480,000) is allowed outright
and done as the deal's next version; → 0802 (76 m², ¥990,000) is 409 without the manager's approval, done
once he approves. The old unit is available again, the new one takes its state; refusals write nothing."""

import datetime as dt

import pytest

from core.decisions.models import Decision
from core.notifications.models import Notification
from plugins.real_estate.office_models import Change, Instalment
from plugins.real_estate.sales_models import Subscription, Unit
from tests.plugins.real_estate.changes_world import add_instalment, build_office, rows

API = "/api/v1/re/changes"


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant)


def _swap(client, office, to, who="wang"):
    return client.post(f"{API}/swaps", json={"subscription_id": office.ids["subscription"], "to_unit_id": office.ids[to],
                                             "reason": "客户想要大户型"}, headers=office.headers(who))


def _units(office):
    with office.scope():
        return {u.number: (u.state, u.customer_id) for u in rows(Unit)}


def test_re40_small_to_large_is_allowed_outright_and_done_as_a_new_version(client, office):
    instalment_id = add_instalment(office)
    r = _swap(client, office, "u1506")
    assert r.status_code == 201, r.get_json()
    change = r.get_json()
    assert change["status"] == "approved" and change["decision"]["rule_id"] == "RE-40"
    assert change["decision"]["outcome"]["allowed"] is True and change["decision"]["outcome"]["failed"] == []
    assert "以小换大" in change["decision"]["reason_zh"]
    done = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["change"]["status"] == "done"
    new = body["subscription"]
    assert new["version"] == 2 and new["previous_id"] == office.ids["subscription"]
    assert new["unit_id"] == office.ids["u1506"] and new["price"] == "1480000.00" and new["status"] == "signed"
    assert new["balance"] == "1460000.00"  # 1,130,000 + (1,480,000 − 1,150,000)
    with office.scope():
        old = rows(Subscription, id=office.ids["subscription"])[0]
        assert old.status == "superseded" and old.unit_id == office.ids["u1203"]  # RE-33: never edited
        assert rows(Instalment, id=instalment_id)[0].subscription_id == new["id"]
    units = _units(office)
    assert units["1203"] == ("available", None)
    assert units["1506"] == ("subscribed", office.ids["customer"])
    # the old version cannot change any more
    again = _swap(client, office, "u0802")
    assert again.status_code == 409


def test_re40_large_to_small_is_409_without_the_managers_approval(client, office):
    r = _swap(client, office, "u0802")
    assert r.status_code == 201
    change = r.get_json()
    assert change["status"] == "requested"
    assert change["decision"]["outcome"] == {"allowed": False, "needs_approval": True, "failed": ["area", "price"],
                                          "status": "requested"}
    with office.scope():
        assert {n.user_id for n in rows(Notification, kind="re.change")} == {office.ids["li"]}
    refused = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert refused.status_code == 409
    assert "须经经理批准" in refused.get_json()["reason_zh"]
    with office.scope():
        assert [s.version for s in rows(Subscription)] == [1]
    assert _units(office)["0802"] == ("available", None)
    # the salesperson cannot approve it himself; the manager can
    assert client.post(f"{API}/{change['id']}/approve", json={}, headers=office.headers("wang")).status_code == 403
    approved = client.post(f"{API}/{change['id']}/approve", json={"reason": "客户资金紧张"}, headers=office.headers("li"))
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["decision"]["outcome"]["allowed"] is True
    done = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert done.status_code == 200
    assert done.get_json()["subscription"]["price"] == "990000.00"
    units = _units(office)
    assert units["0802"][0] == "subscribed" and units["1203"] == ("available", None)
    with office.scope():
        trail = [(d.rule_id, d.outcome.get("status")) for d in rows(Decision, subject_type="re_change")]
    assert trail == [("RE-40", "requested"), ("RE-40", "approved"), ("RE-40", "done")]


def test_the_manager_may_refuse_a_swap_with_a_reason(client, office):
    change = _swap(client, office, "u0802").get_json()
    assert client.post(f"{API}/{change['id']}/refuse", json={}, headers=office.headers("li")).status_code == 422
    r = client.post(f"{API}/{change['id']}/refuse", json={"reason": "以大换小不符合制度"}, headers=office.headers("li"))
    assert r.status_code == 200 and r.get_json()["status"] == "refused"
    assert client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang")).status_code == 409


def test_a_unit_not_available_cannot_be_swapped_in_and_nothing_is_written(client, office):
    with office.scope():
        from core.db import db

        rows(Unit, id=office.ids["u1506"])[0].state = "held"
        db.session.commit()
    r = _swap(client, office, "u1506")
    assert r.status_code == 409
    with office.scope():
        assert rows(Change) == [] and rows(Decision, subject_type="re_change") == []


def test_finance_does_not_request_swaps_one_change_at_a_time_and_the_listing(client, office):
    assert _swap(client, office, "u1506", who="zhao").status_code == 403
    _swap(client, office, "u1506")
    # one change at a time on a deal
    other = client.post(f"{API}/renames", json={"subscription_id": office.ids["subscription"], "new_name": "陈小姐"},
                        headers=office.headers("wang"))
    assert other.status_code == 409 and "正在办理" in other.get_json()["reason_zh"]
    listed = client.get(f"{API}?kind=swap", headers=office.headers("zhao"))
    assert listed.status_code == 200 and [c["to_unit_id"] for c in listed.get_json()] == [office.ids["u1506"]]


def _schedule(office, *lines):
    """The deal 1203's schedule (adding up to its balance ¥1,130,000) and its instalment rows."""
    from decimal import Decimal

    from core.db import db

    with office.scope():
        sub = rows(Subscription, id=office.ids["subscription"])[0]
        sub.schedule = [{"due_on": due, "amount": amount} for due, amount, _paid in lines]
        db.session.commit()
    ids = [add_instalment(office, dt.date.fromisoformat(due), amount, seq) for seq, (due, amount, _p) in
           enumerate(lines, start=1)]
    with office.scope():
        for instalment_id, (_due, _amount, paid) in zip(ids, lines, strict=True):
            if paid:
                row = rows(Instalment, id=instalment_id)[0]
                row.paid_at, row.receipt_no = dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC), "SK-0001"
                db.session.commit()
    assert sum(Decimal(a) for _d, a, _p in lines) == Decimal(1130000)
    return ids


def test_re40_the_new_versions_schedule_adds_up_to_its_new_balance(client, office):
    """RE-40/42: 1203 → 1506 adds ¥330,000 to the balance (1,130,000 → 1,460,000): the last unpaid
    instalment (2026-06-10, ¥830,000) becomes ¥1,160,000; the paid one (¥300,000) is unchanged."""
    paid_id, unpaid_id = _schedule(office, ("2026-03-10", "300000.00", True), ("2026-06-10", "830000.00", False))
    change = _swap(client, office, "u1506").get_json()
    done = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert done.status_code == 200, done.get_json()
    new = done.get_json()["subscription"]
    assert new["balance"] == "1460000.00"
    with office.scope():
        assert [line["amount"] for line in rows(Subscription, id=new["id"])[0].schedule] == ["300000.00", "1160000.00"]
        paid, unpaid = rows(Instalment, id=paid_id)[0], rows(Instalment, id=unpaid_id)[0]
        assert (paid.subscription_id, str(paid.amount), paid.receipt_no) == (new["id"], "300000.00", "SK-0001")
        assert (unpaid.subscription_id, str(unpaid.amount)) == (new["id"], "1160000.00")


def test_re40_a_cheaper_unit_takes_the_difference_off_the_last_unpaid_instalment(client, office):
    """RE-40: 1203 → 0802 (approved by the manager) is ¥160,000 less: the last unpaid ¥830,000 → ¥670,000."""
    _schedule(office, ("2026-03-10", "300000.00", True), ("2026-06-10", "830000.00", False))
    change = _swap(client, office, "u0802").get_json()
    assert client.post(f"{API}/{change['id']}/approve", headers=office.headers("li")).status_code == 200
    done = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert done.status_code == 200, done.get_json()
    new = done.get_json()["subscription"]
    assert new["balance"] == "970000.00"
    with office.scope():
        assert [line["amount"] for line in rows(Subscription, id=new["id"])[0].schedule] == ["300000.00", "670000.00"]
        assert sorted(str(i.amount) for i in rows(Instalment, subscription_id=new["id"])) == ["300000.00", "670000.00"]
