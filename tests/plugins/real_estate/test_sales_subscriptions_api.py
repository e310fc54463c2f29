"""RE-33 subscriptions (422 per field, immutable once signed, amendments as versions, 4 copies) and
RE-34 contracts (custodian, the signing list row the same minute), over the API."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.db import db
from core.staff.credit_models import PerformanceCredit
from core.tenancy import tenant_scope
from plugins.real_estate.office_models import Instalment
from tests.plugins.real_estate import sales_fixtures
from tests.plugins.real_estate.sales_fixtures import (
    API,
    SUBSCRIPTION,
    deposit,
    hold,
    subscribed,
)

office = sales_fixtures.office  # the fixture


def _deposited(client, office):
    assert hold(client, office).status_code == 201
    assert deposit(client, office).status_code == 201
    assert deposit(client, office, "big", "50000.00", "DD-0001").status_code == 201


def test_re33_missing_postcode_is_422_by_field(client, office):
    _deposited(client, office)
    body = {k: v for k, v in SUBSCRIPTION.items() if k != "postcode"}
    refused = client.post(f"{API}/subscriptions", headers=office.h("wang"),
                          json={"unit_id": office.unit_id, "customer_id": office.customer_id, **body})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["json"] == {"postcode": ["the postcode is required on a subscription (RE-33)"]}
    assert client.get(f"{API}/subscriptions", headers=office.h("wang")).get_json() == []


def test_re33_signing_subscribes_the_unit_creates_instalments_and_the_deal(client, office):
    signed = subscribed(client, office)
    assert signed["status"] == "signed" and signed["number"].startswith("RG-") and signed["version"] == 1
    unit = client.get(f"{API}/units/{office.unit_id}", headers=office.h("wang")).get_json()
    assert unit["state"] == "subscribed"
    with tenant_scope(office.handle.id):
        lines = db.session.scalars(select(Instalment).where(Instalment.subscription_id == signed["id"])
                                   .order_by(Instalment.seq)).all()
        assert [(i.seq, str(i.due_on), str(i.amount)) for i in lines] == [
            (1, "2026-10-10", "500000.00"), (2, "2026-12-10", "500000.00")]
        credit = db.session.scalars(select(PerformanceCredit).where(
            PerformanceCredit.id == signed["credit_id"])).one()
        milestones = credit.facts["milestones"]
        assert milestones["small_deposit"] and milestones["big_deposit"] and milestones["subscription"]
        assert milestones["contract"] is None
    copies = client.get(f"{API}/subscriptions/{signed['id']}/copies", headers=office.h("wang")).get_json()
    assert [(c["holder"], c["n"]) for c in copies] == [("customer", 1), ("finance", 1), ("sales", 1), ("sales", 2)]


def test_re33_patch_signed_is_409_amendment_approved_is_v2_v1_kept(client, office):
    v1 = subscribed(client, office)
    patched = client.patch(f"{API}/subscriptions/{v1['id']}", headers=office.h("wang"), json={"postcode": "610041"})
    assert patched.status_code == 409 and patched.get_json()["rule_id"] == "RE-33"
    amended = client.post(f"{API}/subscriptions/{v1['id']}/amendments", headers=office.h("wang"), json={
        "mailing_address": "成都市武侯区天府大道2号", "postcode": "610041", "amendment_reason": "买受人搬家"})
    assert amended.status_code == 201, amended.get_json()
    v2 = amended.get_json()
    assert (v2["version"], v2["previous_id"], v2["status"], v2["number"]) == (2, v1["id"], "draft", v1["number"])
    assert client.post(f"{API}/subscriptions/{v2['id']}/approve", headers=office.h("wang")).status_code == 403
    approved = client.post(f"{API}/subscriptions/{v2['id']}/approve", headers=office.h("zhao"))
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "signed" and approved.get_json()["approved_by"] == office.ids["zhao"]
    kept = client.get(f"{API}/subscriptions/{v1['id']}", headers=office.h("wang")).get_json()
    assert kept["status"] == "superseded" and kept["postcode"] == "610000"  # v1 kept as it was
    assert client.post(f"{API}/subscriptions/{v1['id']}/amendments", headers=office.h("wang"), json={
        "amendment_reason": "again"}).status_code == 409


def test_re34_contract_needs_a_custodian_and_lists_the_same_minute(client, office):
    signed = subscribed(client, office)
    url = f"{API}/subscriptions/{signed['id']}/contract"
    refused = client.post(url, headers=office.h("zhou"), json={"number": "HT-2026-0001"})
    assert refused.status_code == 422 and "custodian_id" in refused.get_json()["errors"]["json"]
    made = client.post(url, headers=office.h("zhou"), json={
        "number": "HT-2026-0001", "custodian_id": office.ids["zhou"], "signed_at": "2026-09-25T14:37:20+08:00"})
    assert made.status_code == 201, made.get_json()
    rows = client.get(f"{API}/signing-list", headers=office.h("zhou")).get_json()
    assert len(rows) == 1
    assert rows[0]["number"] == "HT-2026-0001" and rows[0]["buyer_name"] == "张伟"
    assert rows[0]["listed_at"].startswith("2026-09-25T06:37:00")  # 14:37 in Shanghai, the signing minute
    unit = client.get(f"{API}/units/{office.unit_id}", headers=office.h("wang")).get_json()
    assert unit["state"] == "contracted"
    with tenant_scope(office.handle.id):
        credit = db.session.scalars(select(PerformanceCredit).where(
            PerformanceCredit.id == signed["credit_id"])).one()
        contract_at = dt.datetime.fromisoformat(credit.facts["milestones"]["contract"])
        assert contract_at == dt.datetime(2026, 9, 25, 6, 37, 20, tzinfo=dt.timezone.utc)
    assert client.post(url, headers=office.h("zhou"), json={
        "number": "HT-2026-0002", "custodian_id": office.ids["zhou"]}).status_code == 409


# ------------------------------------------------------------------ amendments keep paid instalments (RE-33/42)


def _lines(client, office, subscription_id):
    return client.get(f"/api/v1/re/instalments?subscription_id={subscription_id}", headers=office.h("qian")).get_json()


def _pay_first(client, office, subscription_id):
    first = _lines(client, office, subscription_id)[0]
    paid = client.post(f"/api/v1/re/instalments/{first['id']}/pay", headers=office.h("qian"),
                       json={"receipt_no": "SK-0001"})
    assert paid.status_code == 200, paid.get_json()
    return first


def test_re33_an_approved_amendment_takes_over_the_paid_instalment_rows(client, office):
    """RE-33/RE-42: v2 of 张伟's subscription (new mailing address) keeps instalment 1 (¥500,000 due
    2026-10-10) paid with its receipt SK-0001: the rows follow the deal, they are not made again."""
    sub = subscribed(client, office)
    first = _pay_first(client, office, sub["id"])
    amend = client.post(f"{API}/subscriptions/{sub['id']}/amendments", headers=office.h("wang"),
                        json={"amendment_reason": "the buyer moved", "mailing_address": "成都市武侯区2号"})
    assert amend.status_code == 201, amend.get_json()
    v2 = amend.get_json()["id"]
    assert client.post(f"{API}/subscriptions/{v2}/approve", headers=office.h("zhao")).status_code == 200
    after = _lines(client, office, v2)
    assert [(line["id"], line["receipt_no"]) for line in after] == [(first["id"], "SK-0001"), (after[1]["id"], None)]
    assert after[0]["paid_at"] is not None


def test_re33_an_amendment_changing_a_paid_instalment_is_422_an_unpaid_one_may_change(client, office):
    """RE-42: instalment 1 is paid: a schedule moving it is 422 on ``schedule``; splitting the unpaid
    ¥500,000 of 2026-12-10 into two of ¥250,000 is approved: 3 rows, the paid one unchanged."""
    sub = subscribed(client, office)
    _pay_first(client, office, sub["id"])
    moved = client.post(f"{API}/subscriptions/{sub['id']}/amendments", headers=office.h("wang"), json={
        "amendment_reason": "later", "schedule": [{"due_on": "2026-11-10", "amount": "500000.00"},
                                                  {"due_on": "2026-12-10", "amount": "500000.00"}]})
    assert moved.status_code == 422 and "schedule" in moved.get_json()["errors"]["json"], moved.get_json()
    split = client.post(f"{API}/subscriptions/{sub['id']}/amendments", headers=office.h("wang"), json={
        "amendment_reason": "two steps", "schedule": [{"due_on": "2026-10-10", "amount": "500000.00"},
                                                      {"due_on": "2026-12-10", "amount": "250000.00"},
                                                      {"due_on": "2027-02-10", "amount": "250000.00"}]})
    assert split.status_code == 201, split.get_json()
    v2 = split.get_json()["id"]
    assert client.post(f"{API}/subscriptions/{v2}/approve", headers=office.h("zhao")).status_code == 200
    assert [(line["due_on"], line["amount"], line["receipt_no"]) for line in _lines(client, office, v2)] == [
        ("2026-10-10", "500000.00", "SK-0001"), ("2026-12-10", "250000.00", None), ("2027-02-10", "250000.00", None)]


def test_re33_one_step_at_a_time_a_pending_amendment_blocks_a_change(client, office):
    """RE-33: while v2 waits for the manager, a rename (another version) is 409 with the reason."""
    sub = subscribed(client, office)
    amend = client.post(f"{API}/subscriptions/{sub['id']}/amendments", headers=office.h("wang"),
                        json={"amendment_reason": "new address", "mailing_address": "成都市武侯区1号"})
    assert amend.status_code == 201
    rename = client.post("/api/v1/re/changes/renames", headers=office.h("wang"),
                         json={"subscription_id": sub["id"], "new_name": "张小姐"})
    assert rename.status_code == 409 and "待经理批准" in rename.get_json()["reason_zh"], rename.get_json()


# ------------------------------------------------------------------ whose subscription, who sees it


def test_re33_the_subscription_is_the_depositors_another_customer_is_422(client, office):
    """RE-32/33: 张伟 paid the deposits on 3-1502: a subscription for 李四 is 422 on customer_id (a
    different buyer is a rename, RE-41)."""
    _deposited(client, office)
    other = client.post("/api/v1/customers", headers=office.handle.headers(), json={
        "name": "李四", "phones": [{"number": "13900139000"}]}).get_json()["id"]
    made = client.post(f"{API}/subscriptions", headers=office.h("li"),
                       json={"unit_id": office.unit_id, "customer_id": other, **SUBSCRIPTION})
    assert made.status_code == 422 and "customer_id" in made.get_json()["errors"]["json"], made.get_json()


def test_cus70_the_subscription_list_hides_buyers_the_viewer_may_not_see(client, office):
    """CUS-70: 张伟 is wang's sale; li (another salesperson) may not see 张伟 in the core, so the list
    leaves the subscription out; the manager zhao sees it with the phone masked; finance sees the office's."""
    sub = subscribed(client, office)
    assert client.get(f"/api/v1/customers/{office.customer_id}", headers=office.h("li")).status_code == 404
    assert client.get(f"{API}/subscriptions", headers=office.h("li")).get_json() == []
    mine = client.get(f"{API}/subscriptions", headers=office.h("wang")).get_json()
    assert [s["id"] for s in mine] == [sub["id"]]
    managers = client.get(f"{API}/subscriptions", headers=office.h("zhao")).get_json()
    assert [s["phone"] for s in managers] == ["138****8000"]
    assert [s["id"] for s in client.get(f"{API}/subscriptions", headers=office.h("qian")).get_json()] == [sub["id"]]


# ------------------------------------------------------------------ numbers (RE-33)


def test_re33_the_number_is_in_the_tenants_local_year_and_taken_numbers_are_skipped(client, office, monkeypatch):
    """RE-33: at 2026-12-31 16:30 UTC it is 2027-01-01 00:30 in Chengdu: RG-2027-0001; a create racing
    another one for the same number (IntegrityError) takes the next one."""
    from core.accounts.models import User
    from plugins.real_estate import subscriptions

    with tenant_scope(office.handle.id):
        assert subscriptions.next_number(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)) == "RG-2027-0001"
        assert subscriptions.next_number(dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)) == "RG-2026-0001"
    _deposited(client, office)
    first = client.post(f"{API}/subscriptions", headers=office.h("wang"),
                        json={"unit_id": office.unit_id, "customer_id": office.customer_id, **SUBSCRIPTION})
    taken = first.get_json()["number"]
    real, calls = subscriptions.next_number, []

    def racing(at):
        calls.append(at)
        return taken if len(calls) == 1 else real(at)  # the first try loses to the other writer

    monkeypatch.setattr(subscriptions, "next_number", racing)
    with tenant_scope(office.handle.id):
        wang = db.session.scalars(select(User).where(User.id == office.ids["wang"])).one()
        made = subscriptions.create({"unit_id": office.unit_id, "customer_id": office.customer_id, **SUBSCRIPTION},
                                    by=wang)
        assert made.number != taken and made.number.endswith("-0002") and len(calls) == 2
        db.session.rollback()
