"""RE-41 rename (free before the contract; after it 1% of ¥1,480,000 → ¥14,800 recorded paid by finance
before it completes) and RE-43 refunds (409 after the contract signed 2026-05-20; before it a retention
attempt, the manager's approval, the unit available, the deposits refunded by finance, the credit
reversed) through the API; finance-only steps are 403 for anybody else with nothing written."""
import datetime as dt
from decimal import Decimal

import pytest

from core.db import db
from core.decisions.models import Decision
from core.notifications.models import Notification
from core.staff import credit
from core.staff.credit_models import PerformanceCredit
from plugins.real_estate.office_models import Change
from plugins.real_estate.sales_models import Deposit, Subscription, Unit
from tests.plugins.real_estate.changes_world import add_contract, build_office, rows

API = "/api/v1/re/changes"


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant)


def _rename(client, office, name="陈小姐", who="wang"):
    return client.post(f"{API}/renames", json={"subscription_id": office.ids["subscription"], "new_name": name},
                       headers=office.headers(who))


def test_re41_rename_before_the_contract_is_free_and_done_at_once(client, office):
    r = _rename(client, office)
    assert r.status_code == 201, r.get_json()
    change = r.get_json()
    assert change["fee"] == "0.00" and change["decision"]["outcome"]["title_transfer"] is False
    done = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert done.status_code == 200
    new = done.get_json()["subscription"]
    assert new["buyer_name"] == "陈小姐" and new["version"] == 2
    with office.scope():
        assert [(s.version, s.buyer_name, s.status) for s in rows(Subscription)] == [
            (1, "陈先生", "superseded"), (2, "陈小姐", "signed")]


def test_re41_rename_after_the_contract_pays_one_percent_first(client, office):
    add_contract(office, price="1480000")
    change = _rename(client, office).get_json()
    assert change["fee"] == "14800.00"
    assert "¥14,800.00" in change["decision"]["reason_zh"]
    # not before the fee is paid
    early = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert early.status_code == 409 and "尚未缴清" in early.get_json()["reason_zh"]
    # only finance records the fee
    for who in ("wang", "li"):
        assert client.post(f"{API}/{change['id']}/fee", json={"receipt_no": "GM-001"},
                           headers=office.headers(who)).status_code == 403
    with office.scope():
        assert rows(Change)[0].fee_paid_at is None
    assert client.post(f"{API}/{change['id']}/fee", json={"receipt_no": "  "},
                       headers=office.headers("zhao")).status_code == 422
    paid = client.post(f"{API}/{change['id']}/fee", json={"receipt_no": "GM-001"}, headers=office.headers("zhao"))
    assert paid.status_code == 200 and paid.get_json()["fee_receipt_no"] == "GM-001"
    assert client.post(f"{API}/{change['id']}/fee", json={"receipt_no": "GM-002"},
                       headers=office.headers("zhao")).status_code == 409
    done = client.post(f"{API}/{change['id']}/complete", headers=office.headers("wang"))
    assert done.status_code == 200 and done.get_json()["subscription"]["buyer_name"] == "陈小姐"


def test_re43_no_refund_after_the_contract(client, office):
    add_contract(office, signed_on=dt.date(2026, 5, 20))
    r = client.post(f"{API}/refunds", json={"subscription_id": office.ids["subscription"], "reason": "不想买了"},
                    headers=office.headers("wang"))
    assert r.status_code == 409
    assert r.get_json()["reason_zh"] == "合同已于2026-05-20签订，坚决不退房"
    with office.scope():
        assert rows(Change) == [] and rows(Decision, subject_type="re_change") == []


def _credit(office):
    with office.scope():
        deal = credit.record_deal(subject_type="re_subscription", subject_id=office.ids["subscription"],
                                  amount="1150000", owner_id=office.ids["wang"],
                                  deal_at=dt.datetime(2026, 2, 1, 3, tzinfo=dt.timezone.utc), by=office.ids["li"])
        db.session.execute(Subscription.__table__.update().where(Subscription.id == office.ids["subscription"])
                           .values(credit_id=deal.id))
        db.session.commit()
        return deal.id


def test_re43_refund_before_the_contract_retention_then_manager_then_finance(client, office):
    credit_id = _credit(office)
    r = client.post(f"{API}/refunds", json={"subscription_id": office.ids["subscription"], "reason": "资金周转困难"},
                    headers=office.headers("wang"))
    assert r.status_code == 201
    change = r.get_json()
    assert change["decision"]["outcome"]["next_step"] == "retention_attempt"
    # no approval before the retention attempt is recorded
    assert client.post(f"{API}/{change['id']}/approve", json={}, headers=office.headers("li")).status_code == 409
    kept = client.post(f"{API}/{change['id']}/retention", json={"note": "介绍了分期方案，客户仍坚持退房"},
                       headers=office.headers("wang"))
    assert kept.status_code == 200 and kept.get_json()["decision"]["outcome"]["next_step"] == "manager_approval"
    assert client.post(f"{API}/{change['id']}/approve", json={}, headers=office.headers("wang")).status_code == 403
    approved = client.post(f"{API}/{change['id']}/approve", json={}, headers=office.headers("li"))
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "approved" and body["decision"]["outcome"]["refund_total"] == "20000.00"
    with office.scope():
        assert rows(Unit, id=office.ids["u1203"])[0].state == "available"
        assert rows(Subscription)[0].status == "cancelled"
        original = rows(PerformanceCredit, id=credit_id)[0]
        reversed_ = rows(PerformanceCredit, reverses_id=credit_id)
        assert original.state == "cancelled" or [c.amount for c in reversed_] == [-original.amount]
        assert [d.rule_id for d in rows(Decision, subject_type="staff_credit")][-1] == "RE-43"
    # finance refunds the deposit with its refund receipt number; nobody else
    refund = {"deposit_id": office.ids["deposit"], "refund_receipt_no": "TK-0001"}
    assert client.post(f"{API}/{change['id']}/deposit-refunds", json=refund,
                       headers=office.headers("li")).status_code == 403
    with office.scope():
        assert rows(Deposit)[0].refunded_at is None
    done = client.post(f"{API}/{change['id']}/deposit-refunds", json=refund, headers=office.headers("zhao"))
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    with office.scope():
        deposit = rows(Deposit)[0]
        assert deposit.refund_receipt_no == "TK-0001" and deposit.refunded_at is not None
    assert client.post(f"{API}/{change['id']}/deposit-refunds", json=refund,
                       headers=office.headers("zhao")).status_code == 409


def test_re41_a_rename_asked_before_the_contract_and_completed_after_it_pays_the_fee(client, office):
    """RE-41: 陈先生 → 陈小姐 asked for free; the contract (¥1,480,000) is signed meanwhile: completing is
    409 "fee due", the fee ¥14,800.00 is set and finance told; once paid the rename completes."""
    r = _rename(client, office)
    assert r.status_code == 201 and r.get_json()["fee"] == "0.00"
    add_contract(office, price="1480000")
    due = client.post(f"{API}/{r.get_json()['id']}/complete", headers=office.headers("wang"))
    assert due.status_code == 409 and "更名费¥14,800.00" in due.get_json()["reason_zh"], due.get_json()
    with office.scope():
        change = rows(Change)[0]
        change_id = change.id
        assert change.fee == Decimal("14800.00") and change.status == "approved"
        assert [n.user_id for n in rows(Notification, kind="re.change")] == [office.ids["zhao"]]
        assert [s.version for s in rows(Subscription)] == [1]
    paid = client.post(f"{API}/{change_id}/fee", json={"receipt_no": "GM-001"}, headers=office.headers("zhao"))
    assert paid.status_code == 200
    done = client.post(f"{API}/{change_id}/complete", headers=office.headers("wang"))
    assert done.status_code == 200 and done.get_json()["subscription"]["buyer_name"] == "陈小姐"


def test_re33_an_open_change_blocks_an_amendment_and_a_second_change(client, office):
    """RE-33: one step at a time: with the rename open, a refund request and an amendment are 409."""
    assert _rename(client, office).status_code == 201
    refund = client.post(f"{API}/refunds", json={"subscription_id": office.ids["subscription"]},
                         headers=office.headers("wang"))
    assert refund.status_code == 409 and "正在办理" in refund.get_json()["reason_zh"]
    amend = client.post(f"/api/v1/re/sales/subscriptions/{office.ids['subscription']}/amendments",
                        headers=office.headers("wang"),
                        json={"amendment_reason": "new address", "mailing_address": "成都市武侯区1号"})
    assert amend.status_code == 409 and "正在办理" in amend.get_json()["reason_zh"], amend.get_json()
