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
