"""Review: an approved amendment (RE-33) must keep the instalments already paid (RE-42)."""
from __future__ import annotations

from tests.plugins.real_estate.sales_fixtures import API, SUBSCRIPTION, office, subscribed  # noqa: F401


def test_amendment_approval_resets_paid_instalments_to_unpaid(client, office):
    sub = subscribed(client, office)
    lines = client.get(f"/api/v1/re/instalments?subscription_id={sub['id']}", headers=office.h("qian")).get_json()
    first = lines[0]
    paid = client.post(f"/api/v1/re/instalments/{first['id']}/pay", headers=office.h("qian"),
                       json={"receipt_no": "SK-0001"})
    assert paid.status_code == 200, paid.get_json()
    amend = client.post(f"{API}/subscriptions/{sub['id']}/amendments", headers=office.h("wang"),
                        json={"amendment_reason": "the buyer moved", "mailing_address": "成都市武侯区2号"})
    assert amend.status_code == 201, amend.get_json()
    v2 = amend.get_json()["id"]
    assert client.post(f"{API}/subscriptions/{v2}/approve", headers=office.h("zhao")).status_code == 200
    after = client.get(f"/api/v1/re/instalments?subscription_id={v2}", headers=office.h("qian")).get_json()
    assert after[0]["paid_at"] is not None and after[0]["receipt_no"] == "SK-0001", after
